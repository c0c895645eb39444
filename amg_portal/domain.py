"""Vocabulary shared by every app: the IGLO levels and the three prevention levels of the guide."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """IGLO: the four organisational levels every effort spans."""

    INDIVIDUAL = "I", _("Individual")
    GROUP = "G", _("Group")
    LEADER = "L", _("Leader")
    ORGANISATION = "O", _("Organisation")


class Prevention(models.TextChoices):
    """The guide's inverted pyramid: primary prevention is the widest and matters most."""

    PRIMARY = "primary", _("Primary prevention")
    SECONDARY = "secondary", _("Secondary prevention")
    TERTIARY = "tertiary", _("Tertiary prevention")
