"""Fixtures for the mapping: rounds of institute A and helpers that answer them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kortlaegning import services
from kortlaegning.models import Round


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def draft_round(unit_a, leader_a, today) -> Round:
    return services.round_create(
        unit=unit_a,
        created_by=leader_a,
        title="Kortlægning 2026",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
    )


@pytest.fixture
def open_round(draft_round, leader_a) -> Round:
    return services.round_open(round=draft_round, opened_by=leader_a)
