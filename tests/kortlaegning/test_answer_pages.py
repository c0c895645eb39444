"""The respondent's pages: exchange a code for a session, answer level by level, submit once."""

import pytest
from django.urls import reverse

from amg_portal.organisation.models import Unit
from kortlaegning import services, tokens
from kortlaegning.models import LevelComment, Question, Response, Round
from tests.kortlaegning.helpers import close


def _step(round, n):
    return reverse("kortlaegning:answer_step", args=[round.pk, n])


def _level_data(round, level, choice="yes", **extra):
    qids = round.round_questions.filter(question__level=level).values_list("question_id", flat=True)
    return {**{f"q{q}": choice for q in qids}, **extra}


def _start_with_code(client, round):
    [code] = services.codes_generate(round=round, unit=round.unit, count=1)
    response = client.get(reverse("kortlaegning:answer_code", args=[round.pk, code]))
    return code, response


def test_it_exchanges_the_code_for_a_session_and_a_url_without_it(client, open_round):
    code, response = _start_with_code(client, open_round)
    assert response.status_code == 302
    assert response["Location"] == _step(open_round, 1)
    assert code not in response["Location"]
    assert code not in str(dict(client.session))


def test_it_answers_the_whole_form_and_stores_one_response(client, open_round):
    _start_with_code(client, open_round)
    response = client.post(_step(open_round, 1), _level_data(open_round, "I", comment_I="Travlt"))
    assert response["Location"] == _step(open_round, 2)
    response = client.post(_step(open_round, 2), _level_data(open_round, "G", "partly"))
    assert response["Location"] == reverse("kortlaegning:answer_done", args=[open_round.pk])
    assert Response.objects.count() == 1
    assert LevelComment.objects.get().text == "Travlt"
    again = client.post(_step(open_round, 2), _level_data(open_round, "G", "partly"))
    assert again.status_code == 302  # a retry or the back button lands on the thank-you page
    assert Response.objects.count() == 1


def test_it_keeps_every_answer_on_a_validation_error(client, open_round):
    _start_with_code(client, open_round)
    data = _level_data(open_round, "I", "no", comment_I="Min kommentar")
    missing = next(iter(data))
    del data[missing]
    response = client.post(_step(open_round, 1), data)
    assert response.status_code == 200
    assert "Min kommentar" in response.text
    assert (
        response.text.count('value="no" checked') + response.text.count('checked value="no"')
        >= len(data) - 1
        or response.text.count("checked") >= len(data) - 1
    )
    assert Response.objects.count() == 0


def test_it_keeps_answers_when_going_back(client, open_round):
    _start_with_code(client, open_round)
    client.post(_step(open_round, 1), _level_data(open_round, "I", "partly"))
    client.post(_step(open_round, 2), {**_level_data(open_round, "G", "no"), "back": "1"})
    page = client.get(_step(open_round, 1))
    assert page.text.count("checked") == 11
    page = client.get(_step(open_round, 2))
    assert page.text.count("checked") == 7


def test_it_rejects_tampered_values_and_keeps_the_code(client, open_round):
    code, _ = _start_with_code(client, open_round)
    data = _level_data(open_round, "I")
    data[next(iter(data))] = "maybe"
    assert client.post(_step(open_round, 1), data).status_code == 200
    assert (
        client.post(
            _step(open_round, 1), _level_data(open_round, "I", comment_I="x" * 1001)
        ).status_code
        == 200
    )
    assert services.grant_for_code(round=open_round, code=code)


def test_it_ignores_tampered_question_ids_and_levels(client, open_round):
    _start_with_code(client, open_round)
    extra = _level_data(open_round, "O")  # a level employees are not asked
    client.post(_step(open_round, 1), {**_level_data(open_round, "I"), **extra, "comment_O": "x"})
    client.post(_step(open_round, 2), _level_data(open_round, "G"))
    response = Response.objects.get()
    asked = Question.objects.filter(pk__in=[int(q) for q in response.answers])
    assert set(asked.values_list("level", flat=True)) == {"I", "G"}
    assert not LevelComment.objects.exists()


@pytest.mark.parametrize(
    ("situation", "status", "text"),
    [
        ("unknown", 404, "Vi kender ikke denne kode"),
        ("used", 409, "allerede brugt"),
        ("closed", 410, "Kortlægningen er lukket"),
        ("not_open", 403, "ikke åbnet endnu"),
    ],
)
def test_it_shows_a_clear_page_for_a_bad_code(
    client, open_round, leader_a, today, situation, status, text
):
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    if situation == "unknown":
        code = tokens.new_code()
    elif situation == "used":
        services.response_submit(
            round=open_round,
            grant=services.grant_for_code(round=open_round, code=code),
            answers={
                str(q): "yes"
                for q in open_round.round_questions.filter(question__level__in="IG").values_list(
                    "question_id", flat=True
                )
            },
            comments={},
        )
    elif situation == "closed":
        close(open_round, leader_a)
    else:
        Round.objects.filter(pk=open_round.pk).update(
            opens_on=today.replace(year=today.year + 1),
            closes_on=today.replace(year=today.year + 1),
        )
    at_secret = client.get(reverse("kortlaegning:answer_code", args=[open_round.pk, code]))
    # The refusal is shown at a URL without the code, and the secret URL sends no Referer.
    assert at_secret.status_code == 302
    assert at_secret["Referrer-Policy"] == "no-referrer"
    assert code not in at_secret["Location"]
    assert at_secret.content == b""
    response = client.get(at_secret["Location"])
    assert response.status_code == status
    assert text in response.text
    assert code not in response.text


def test_it_shows_the_refusal_in_english(client, open_round):
    client.cookies["amg_language"] = "en"
    url = reverse("kortlaegning:answer_code", args=[open_round.pk, "nonsense"])
    response = client.get(url, follow=True)
    assert response.redirect_chain[0][0].endswith("/afvist/unknown/")
    assert response.status_code == 404
    assert "We do not know this code" in response.text


def test_it_answers_an_unknown_refusal_reason_with_404(client, open_round):
    url = reverse("kortlaegning:answer_refused", args=[open_round.pk, "<script>"])
    assert client.get(url).status_code == 404
    client.cookies["amg_language"] = "da"
    response = client.get(reverse("kortlaegning:answer_code", args=[open_round.pk, "nonsense"]))
    assert "We do not know this code" not in response.text


def test_it_accepts_a_typed_code(client, open_round):
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    url = reverse("kortlaegning:answer_entry", args=[open_round.pk])
    response = client.post(url, {"code": tokens.format_code(code).lower()})
    assert response["Location"] == _step(open_round, 1)


def test_it_keeps_a_mistyped_code_in_the_field(client, open_round):
    url = reverse("kortlaegning:answer_entry", args=[open_round.pk])
    response = client.post(url, {"code": "ABCD-WRONG"})
    assert response.status_code == 200
    assert "ABCD-WRONG" in response.text


def test_it_sends_a_visitor_without_a_code_to_the_start(client, open_round):
    response = client.get(_step(open_round, 1))
    assert response.status_code == 400
    assert reverse("kortlaegning:answer_entry", args=[open_round.pk]) in response.text


def test_it_lets_the_leader_answer_from_the_round_page(login, leader_a, open_round):
    client = login(leader_a)
    response = client.post(reverse("kortlaegning:answer_as_leader", args=[open_round.pk]))
    assert response["Location"] == _step(open_round, 1)
    client.post(_step(open_round, 1), _level_data(open_round, "L"))
    client.post(_step(open_round, 2), _level_data(open_round, "O"))
    assert Response.objects.get().group == "leadership"
    again = client.post(reverse("kortlaegning:answer_as_leader", args=[open_round.pk]))
    assert again.status_code == 409


def test_it_records_a_dialogue_as_one_joint_answer_set(login, amr_a, unit_a, leader_a, today):
    Unit.objects.filter(pk=unit_a.pk).update(headcount=12)
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Dialog", mode="dialogue",
        collection="open_link", opens_on=today, closes_on=today, threshold=1,
    )  # fmt: skip
    round = services.round_open(round=round, opened_by=leader_a)
    data = {
        **_level_data(round, "I"), **_level_data(round, "G", "partly"),
        "unit": unit_a.pk, "participants": 8, "summary": "God snak",
    }  # fmt: skip
    response = login(amr_a).post(reverse("kortlaegning:dialogue_record", args=[round.pk]), data)
    assert response.status_code == 302
    stored = Response.objects.get()
    assert (stored.is_dialogue, stored.participants, stored.summary) == (True, 8, "God snak")


def test_it_survives_a_broken_session_state(client, open_round):
    session = client.session
    session["kortlaegning"] = {str(open_round.pk): {"grant": {"kind": "code"}}}
    session.save()
    assert client.get(_step(open_round, 1)).status_code == 400


def test_it_answers_an_unknown_round_with_404(client, db):
    assert client.get(reverse("kortlaegning:answer_entry", args=[999999])).status_code == 404


def test_it_shows_what_is_missing_on_an_empty_post(client, open_round):
    _start_with_code(client, open_round)
    response = client.post(_step(open_round, 1), {})
    assert response.status_code == 200
    assert response.text.count('aria-invalid="true"') == 11 * 4


def test_it_lets_a_group_leader_answer_the_institute_round(login, open_round, group_a1):
    from amg_portal.organisation.models import Role
    from tests.conftest import give_role, make_user

    group_leader = give_role(make_user("leader_a1"), group_a1, Role.LEADER)
    client = login(group_leader)
    index = client.get(reverse("kortlaegning:index")).text
    assert reverse("kortlaegning:answer_as_leader", args=[open_round.pk]) in index
    response = client.post(reverse("kortlaegning:answer_as_leader", args=[open_round.pk]))
    assert response["Location"] == _step(open_round, 1)
    client.post(_step(open_round, 1), _level_data(open_round, "L"))
    client.post(_step(open_round, 2), _level_data(open_round, "O"))
    stored = Response.objects.get()
    assert (stored.group, stored.unit) == ("leadership", group_a1)
    index = client.get(reverse("kortlaegning:index")).text
    assert reverse("kortlaegning:answer_as_leader", args=[open_round.pk]) not in index


def test_it_refuses_more_dialogue_participants_than_the_unit_has(
    login, amr_a, unit_a, leader_a, today
):
    Unit.objects.filter(pk=unit_a.pk).update(headcount=5)
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Dialog", mode="dialogue",
        collection="open_link", opens_on=today, closes_on=today, threshold=1,
    )  # fmt: skip
    round = services.round_open(round=round, opened_by=leader_a)
    assert round.headcount == 5
    data = {
        **_level_data(round, "I"), **_level_data(round, "G", "partly"),
        "unit": unit_a.pk, "participants": 6, "summary": "For mange",
    }  # fmt: skip
    client = login(amr_a)
    response = client.post(reverse("kortlaegning:dialogue_record", args=[round.pk]), data)
    assert response.status_code == 200
    assert "Institut A har 5 medarbejdere" in response.content.decode()
    assert response.context["form"]["summary"].value() == "For mange"  # nothing entered is lost
    assert not Response.objects.exists()
    # A meeting of 3 fits; a second one of 3 would exceed the headcount the round opened with.
    url = reverse("kortlaegning:dialogue_record", args=[round.pk])
    assert client.post(url, {**data, "participants": 3}).status_code == 302
    second = client.post(url, {**data, "participants": 3})
    assert second.status_code == 200 and Response.objects.count() == 1
    assert "højst registreres 2 mere" in second.content.decode()


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ("close", 410, "Kortlægningen er lukket"),
        ("past_closing_date", 410, "Kortlægningen er lukket"),
        ("used_elsewhere", 409, "allerede brugt"),
    ],
)
def test_the_last_step_refuses_what_changed_after_this_process_read_the_round(
    client, open_round, leader_a, today, change, status, text
):
    """The last step stores without reading the round (this process read it when it served the
    first step); the one statement checks the round and the code, and the refusal says why."""
    code, _ = _start_with_code(client, open_round)
    assert client.post(_step(open_round, 1), _level_data(open_round, "I"))["Location"] == _step(
        open_round, 2
    )
    if change == "close":
        close(open_round, leader_a)
    elif change == "past_closing_date":
        Round.objects.filter(pk=open_round.pk).update(opens_on=today.replace(year=today.year - 1))
        Round.objects.filter(pk=open_round.pk).update(closes_on=today.replace(year=today.year - 1))
    else:
        grant = services.grant_for_code(round=open_round, code=code)
        answers = {f[1:]: v for f, v in _level_data(open_round, "I").items()}
        answers |= {f[1:]: v for f, v in _level_data(open_round, "G").items()}
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    refused = client.post(_step(open_round, 2), _level_data(open_round, "G"))
    assert refused.status_code == status
    assert text in refused.text
    stored = 1 if change == "used_elsewhere" else 0
    assert Response.objects.filter(round=open_round).count() == stored


def test_the_last_step_with_a_missing_answer_shows_the_form(client, open_round):
    _start_with_code(client, open_round)
    client.post(_step(open_round, 1), _level_data(open_round, "I"))
    data = _level_data(open_round, "G", "no", comment_G="  Min kommentar ")
    del data[next(iter(data))]
    page = client.post(_step(open_round, 2), data)
    assert page.status_code == 200
    assert "Min kommentar" in page.text
    assert Response.objects.count() == 0
    done = client.post(_step(open_round, 2), {**data, **_level_data(open_round, "G", "no")})
    assert done["Location"] == reverse("kortlaegning:answer_done", args=[open_round.pk])
    assert LevelComment.objects.get().text == "Min kommentar"


def test_the_thanks_redirect_is_the_rounds_own_under_any_script_prefix():
    from django.urls import set_script_prefix

    from kortlaegning.answer_views import _to_thanks

    try:
        for prefix in ("/", "/amg/", "/other/"):
            set_script_prefix(prefix)
            for pk in (1, 2, 1):
                expected = reverse("kortlaegning:answer_done", args=[pk])
                assert expected.startswith(prefix)
                assert _to_thanks(pk)["Location"] == expected
    finally:
        set_script_prefix("/")
