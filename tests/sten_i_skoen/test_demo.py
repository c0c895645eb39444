from django.core.management import call_command

from sten_i_skoen.demo import TITLE
from sten_i_skoen.models import Case, CaseAction, CaseCell, CaseEvent, Escalation


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Case, CaseCell, CaseEvent, Escalation, CaseAction)
    )


def test_the_demo_adds_one_filled_case_once(db):
    call_command("seed_demo", "--json")
    case = Case.objects.get(title=TITLE)
    assert case.unit.name == "Institut for Biologi"
    assert {u.username for u in case.participants.all()} == {"amr", "leder", "tr", "medarbejder"}
    assert case.cells.exclude(text="").count() == 12
    escalation = case.escalations.get()
    assert escalation.to_unit.name == "Det Naturvidenskabelige Fakultet"
    assert case.actions.filter(measure__isnull=False).count() == 2
    before = counts()
    call_command("seed_demo", "--json")
    assert counts() == before
