"""Fixtures of the APV cycle tests: a cycle of unit A with a risk factor and a measure."""

from __future__ import annotations

import datetime as dt

import pytest

from handlingsplan import services

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def cycle(unit_a, leader_a):
    return services.cycle_create(
        unit=unit_a,
        created_by=leader_a,
        title="Institut A 2026–2027",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )


@pytest.fixture
def risk_factor(cycle, leader_a):
    return services.risk_factor_create(
        cycle=cycle, created_by=leader_a, title="Tidspres før deadlines", level="G"
    )


@pytest.fixture
def measure(cycle, leader_a, amr_a, risk_factor):
    return services.measure_create(
        unit=cycle.unit,
        created_by=leader_a,
        title="Fælles prioriteringsmøde",
        goal="Færre sammenfaldende deadlines",
        responsible=amr_a,
        roles=["leader", "amr"],
        start=dt.date(2026, 2, 1),
        deadline=dt.date(2026, 6, 30),
        source_kind="risk_factor",
        risk_factor=risk_factor,
        follow_ups=[dt.date(2026, 3, 1)],
    )
