import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kortlaegning import services
from kortlaegning.models import Invitation, QuestionVersion, Round, RoundEvent, RoundQuestion
from tests.kortlaegning.helpers import close


def test_it_creates_a_draft_with_the_default_levels(draft_round):
    assert draft_round.status == Round.Status.DRAFT
    assert draft_round.levels_for("employees") == ["I", "G"]
    assert draft_round.levels_for("leadership") == ["L", "O"]
    assert draft_round.threshold == 5


def test_it_refuses_a_written_threshold_below_5(unit_a, leader_a, today):
    with pytest.raises(ValidationError) as error:
        services.round_create(
            unit=unit_a,
            created_by=leader_a,
            title="x",
            opens_on=today,
            closes_on=today,
            threshold=3,
        )
    assert "threshold" in error.value.error_dict


def test_it_enforces_the_threshold_in_the_database(draft_round):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=draft_round.pk).update(threshold=2)


def test_it_allows_a_low_threshold_for_dialogue_rounds(unit_a, leader_a, today):
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Dialog", mode="dialogue",
        opens_on=today, closes_on=today, threshold=1,
    )  # fmt: skip
    assert round.threshold == 1


def test_it_freezes_the_question_versions_when_opening(open_round):
    frozen = RoundQuestion.objects.filter(round=open_round)
    assert frozen.count() == 11 + 7 + 10 + 5
    question = frozen.first().question
    services.question_revise(question=question, text_da="Ny tekst?", text_en="New text?")
    assert frozen.get(question=question).version.number == 1
    assert QuestionVersion.objects.filter(question=question).count() == 2


def test_it_does_not_make_a_version_when_nothing_changed(open_round):
    version = QuestionVersion.objects.first()
    again = services.question_revise(
        question=version.question, text_da=version.text_da, text_en=version.text_en
    )
    assert again == version


def test_it_allows_only_one_open_round_per_unit(open_round, unit_a, leader_a, today):
    second = services.round_create(
        unit=unit_a, created_by=leader_a, title="To", opens_on=today, closes_on=today
    )
    with pytest.raises(ValidationError):
        services.round_open(round=second, opened_by=leader_a)
    second.refresh_from_db()
    assert second.is_draft


def test_it_enforces_one_open_round_in_the_database(open_round, unit_a, leader_a, today):
    second = services.round_create(
        unit=unit_a, created_by=leader_a, title="To", opens_on=today, closes_on=today
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=second.pk).update(status="open")


def test_it_closes_and_deletes_the_invitation_addresses(open_round, leader_a, unit_a):
    open_round.collection = Round.Collection.INVITATIONS
    open_round.save()
    services.invitations_send(
        round=open_round, unit=unit_a, emails=["a@example.org"], link_for=lambda t: t
    )
    close(open_round, leader_a)
    assert not Invitation.objects.filter(round=open_round).exists()
    open_round.refresh_from_db()
    assert open_round.is_closed


def test_it_keeps_a_closed_round_read_only(open_round, leader_a):
    close(open_round, leader_a)
    with pytest.raises(ValidationError):
        services.round_update(round=open_round, title="Nyt navn")
    with pytest.raises(ValidationError):
        services.codes_generate(round=open_round, unit=open_round.unit, count=1)


def test_it_reopens_only_with_a_reason_and_logs_it(open_round, leader_a):
    close(open_round, leader_a)
    with pytest.raises(ValidationError):
        services.round_reopen(round=open_round, reopened_by=leader_a, reason="  ")
    services.round_reopen(round=open_round, reopened_by=leader_a, reason="Flere svar fra A1")
    event = RoundEvent.objects.get(round=open_round, kind="reopened")
    assert (event.by, event.reason) == (leader_a, "Flere svar fra A1")
    open_round.refresh_from_db()
    assert open_round.is_open


def test_it_refuses_a_reopening_without_a_reason_in_the_database(open_round, leader_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundEvent.objects.create(round=open_round, kind="reopened", by=leader_a, reason="")


def test_it_closes_rounds_past_their_closing_date(open_round, leader_a, today):
    assert services.round_close_due(today=today, closed_by=leader_a) == 0
    later = today + datetime.timedelta(days=30)
    assert services.round_close_due(today=later, closed_by=leader_a) == 1
    open_round.refresh_from_db()
    assert open_round.is_closed
