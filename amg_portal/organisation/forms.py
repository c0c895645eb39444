from django import forms
from django.utils.translation import gettext_lazy as _

from amg_portal.organisation.models import Unit, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "headcount"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("The unit needs a name."))
        return name

    def clean_headcount(self) -> int:
        headcount = self.cleaned_data["headcount"]
        if headcount > 100_000:
            raise forms.ValidationError(_("A headcount above 100,000 cannot be right."))
        return headcount
