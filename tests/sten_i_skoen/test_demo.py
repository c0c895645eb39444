from django.core.management import call_command

from sten_i_skoen.models import Case, CaseAction, CaseCell, Escalation


def counts() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        CaseCell.objects.exclude(text="").count(),
        Escalation.objects.count(),
        CaseAction.objects.filter(measure__isnull=False).count(),
    )


def test_the_demo_adds_one_filled_case_once(db):
    call_command("seed_demo", "--json")
    assert counts() == (1, 12, 1, 2)
    case = Case.objects.get()
    assert case.unit.name == "Institut for Biologi"
    assert {u.username for u in case.participants.all()} == {"amr", "leder", "tr", "medarbejder"}
    assert Escalation.objects.get().to_unit.name == "Det Naturvidenskabelige Fakultet"
    call_command("seed_demo", "--json")
    assert counts() == (1, 12, 1, 2)
