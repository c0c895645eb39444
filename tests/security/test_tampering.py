"""Tampered form fields: ids of unit B posted into unit A's forms are refused, nothing is written.

Each case first posts the honest payload (it must write, or the refusal would prove nothing) and
then the same payload with one field pointing at B. The leader of A has every right on A, so only
the tampered id can be the reason for the refusal.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kortlaegning.models import Round
from tests.security.matrix import MATRIX
from tests.security.world import CODE, LEADER_A, full_answers

pytestmark = pytest.mark.django_db


CASES = {
    # url name: (what the tampered fields say, a function of the world)
    "kortlaegning:round_create": lambda w: {"unit": w.b.unit.pk},
    "kortlaegning:codes_print": lambda w: {"unit": w.b.unit.pk},
    "kortlaegning:invitations_send": lambda w: {"unit": w.b.group.pk},
    "sten_i_skoen:case_create": lambda w: {"participants": [w.b.leader.pk]},
    "sten_i_skoen:case_participants": lambda w: {"participants": [w.a.leader.pk, w.b.leader.pk]},
    "sten_i_skoen:action_create": lambda w: {"responsible": w.b.leader.pk},
    "handlingsplan:measure_create": lambda w: {"risk_factor": w.b.risk_factor.pk},
    "handlingsplan:measure_edit": lambda w: {"responsible": w.b.leader.pk},
    "handlingsplan:note_create": lambda w: {"risk_factor": w.b.risk_factor.pk},
    "handlingsplan:risk_factor_create": lambda w: {"source_round": w.b.closed_round.pk},
    "handlingsplan:meeting_create": lambda w: {"participants": [w.b.leader.pk]},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_refuses_a_form_field_pointing_at_another_unit(security_world, name):
    world, entry = security_world.world, MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world.a))
    honest = entry.data(world, world.a)

    control = security_world.call(LEADER_A, "POST", url, honest)
    assert control.response.status_code == 302 or control.changed, "the honest payload must write"

    tampered = {**honest, **CASES[name](world)}
    outcome = security_world.call(LEADER_A, "POST", url, tampered)
    assert outcome.response.status_code in (200, 400, 403, 404)
    assert outcome.changed == [], f"{name} wrote {outcome.changed} for a tampered field"


def test_it_refuses_an_evaluation_of_another_units_tiltag(security_world):
    world = security_world.world
    entry = MATRIX["handlingsplan:evaluation_record"]
    kwargs = {**entry.kwargs(world.a), "measure_pk": world.b.measure.pk}
    data = entry.data(world, world.b)  # the field prefix names B's tiltag too
    outcome = security_world.call(
        LEADER_A, "POST", reverse("handlingsplan:evaluation_record", kwargs=kwargs), data
    )
    assert outcome.response.status_code == 404
    assert outcome.changed == []


def test_it_keeps_a_code_holders_grant_to_its_own_round(security_world):
    """A session holding a grant for A's round cannot answer B's round with it."""
    world = security_world.world
    round_b: Round = world.b.round
    url = reverse("kortlaegning:answer_step", kwargs={"pk": round_b.pk, "step": 1})
    answers = {f"q{qid}": "yes" for qid in full_answers(round_b)}
    outcome = security_world.call(CODE, "POST", url, answers)
    assert outcome.response.status_code == 400
    assert outcome.changed == []


def test_it_ignores_a_mapping_round_of_another_unit_in_the_link(security_world):
    """kortlaegning's "Opret tiltag" link carries ?round=&question=; B's round is not taken."""
    from handlingsplan.models import Measure
    from kortlaegning.models import RoundQuestion

    world, entry = security_world.world, MATRIX["handlingsplan:measure_create"]
    question = RoundQuestion.objects.filter(round=world.b.closed_round).first().question_id
    base = reverse("handlingsplan:measure_create", kwargs=entry.kwargs(world.a))

    def post_with(round) -> object:
        return security_world.call(
            LEADER_A,
            "POST",
            f"{base}?round={round.pk}&question={question}",
            entry.data(world, world.a),
            inspect=lambda response: Measure.objects.filter(source_round=round).count(),
        )

    assert post_with(world.a.closed_round).inspected == 1  # the honest link is followed
    outcome = post_with(world.b.closed_round)
    assert outcome.response.status_code in (200, 302)
    assert outcome.inspected == 0
