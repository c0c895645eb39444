"""The tiltag page's two small date forms and the evaluation form's choices (issue 10, 11–12)."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from handlingsplan import services
from tests.security.test_url_matrix import duplicate_ids


def _detail(client, measure) -> str:
    url = reverse("handlingsplan:measure_detail", args=[measure.unit_id, measure.pk])
    return client.get(url).content.decode()


def test_the_tiltag_page_has_no_duplicate_ids_and_each_label_finds_its_field(
    login, leader_a, measure
):
    html = _detail(login(leader_a), measure)
    assert duplicate_ids(html) == []
    labels = dict(re.findall(r'<label[^>]*for="([^"]+)"[^>]*>\s*([^<*]+)', html))
    follow_up = [target for target, text in labels.items() if "Opfølgningsdato" in text]
    assert follow_up == ["id_follow_up-due_on"]
    assert 'id="id_follow_up-due_on"' in html and 'id="id_milestone-due_on"' in html


def test_the_follow_up_form_plans_a_follow_up(login, leader_a, measure):
    url = reverse("handlingsplan:follow_up_add", args=[measure.unit_id, measure.pk])
    before = measure.follow_ups.count()
    response = login(leader_a).post(url, {"follow_up-due_on": "2026-06-01"})
    assert response.status_code == 302
    assert measure.follow_ups.count() == before + 1
    assert measure.follow_ups.filter(due_on=dt.date(2026, 6, 1)).exists()


def test_the_milestone_form_adds_a_milestone(login, leader_a, measure):
    url = reverse("handlingsplan:milestone_add", args=[measure.unit_id, measure.pk])
    data = {"milestone-title": "Første møde", "milestone-due_on": "2026-03-01"}
    assert login(leader_a).post(url, data).status_code == 302
    assert measure.milestones.filter(title="Første møde").exists()


def test_the_evaluation_form_offers_no_empty_choice(login, amg_a, measure):
    meeting = services.meeting_create(
        unit=measure.unit, held_on=dt.date(2026, 3, 2), participants=[amg_a], created_by=amg_a
    )
    url = reverse("handlingsplan:meeting_detail", args=[measure.unit_id, meeting.pk])
    html = login(amg_a).get(url).content.decode()
    prefix = f"m{measure.pk}"
    for field in ("effect", "decision"):
        values = re.findall(rf'name="{prefix}-{field}"[^>]*value="([^"]*)"', html)
        values += re.findall(rf'value="([^"]*)"[^>]*name="{prefix}-{field}"', html)
        assert values, field
        assert "" not in values, field
    assert "---------" not in html
