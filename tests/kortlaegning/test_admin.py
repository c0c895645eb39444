from django.urls import reverse

from kortlaegning.models import Question, QuestionVersion


def test_it_makes_a_new_version_when_the_admin_changes_a_question(login, coordinator, open_round):
    question = Question.objects.get(level="G", position=3)
    url = reverse("admin:kortlaegning_question_change", args=[question.pk])
    client = login(coordinator)
    assert client.get(url).status_code == 200
    data = {
        "level": "G", "position": 3, "sort_key": question.sort_key, "is_active": "on",
        "text_da": "Har vi sat trivsel, stress og arbejdsmængde på dagsordenen?",
        "text_en": "Have we put well-being, stress and workload on the agenda?",
        "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1,
        "versions-MIN_NUM_FORMS": 0, "versions-MAX_NUM_FORMS": 1000,
        "versions-0-id": question.versions.get().pk, "versions-0-question": question.pk,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    versions = QuestionVersion.objects.filter(question=question).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].text_da.startswith("Har vi sat trivsel, stress")
    frozen = open_round.round_questions.get(question=question).version
    assert frozen.number == 1 and frozen.text_da == "Har vi sat trivsel og stress på dagsordenen?"


def test_it_closes_due_rounds_from_the_command(coordinator, open_round, leader_a):
    from io import StringIO

    from django.core.management import call_command

    from kortlaegning.models import Round

    Round.objects.filter(pk=open_round.pk).update(opens_on="2020-01-01", closes_on="2020-01-31")
    out = StringIO()
    call_command("kortlaegning_close_due", "--as", "coordinator", stdout=out)
    assert "1 round" in out.getvalue()
