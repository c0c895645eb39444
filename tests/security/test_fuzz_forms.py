"""Hypothesis-driven fuzzing of every form of the matrix.

Random and hostile values (any unicode text with control characters, markup, overlong strings,
huge and negative numbers, lists for scalars) replace the honest fields of each form, posted by a
role allowed to use it. Nothing may answer 5xx, and markup must never come back unescaped. Each
request is rolled back (see conftest.call), so examples do not pile up state; what a successful
post stores is checked by the deterministic sweep in test_hostile_input.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.matrix import MATRIX
from tests.security.test_hostile_input import FORMS, SCRIPT, _role

pytestmark = pytest.mark.django_db

hostile_scalar = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from([SCRIPT, "\x00", "\r\nForged: header", "../../etc/passwd", "NaN", "1e309"]),
    st.dates().map(lambda d: d.isoformat()),
)
hostile_value = st.one_of(hostile_scalar, st.lists(hostile_scalar, min_size=2, max_size=3))


@pytest.mark.parametrize("name", FORMS)
def test_random_input_never_breaks_a_form(security_world, name):
    world, entry = security_world.world, MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world.a))
    honest = entry.data(world, world.a)

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(honest, hostile_value)))
    def post(changes: dict) -> None:
        payload = {**honest, **changes}
        outcome = security_world.call(_role(name), "POST", url, payload)
        assert outcome.response.status_code < 500, (payload, outcome.response.status_code)
        assert SCRIPT not in outcome.response.content.decode(errors="replace"), payload

    post()
