"""The anonymity rules, property-style over random unit trees and response counts (fixed seeds)."""

import random

import pytest

from amg_portal.organisation.models import Unit
from amg_portal.organisation.services import unit_create
from kortlaegning import anonymity, selectors, services
from kortlaegning.models import LevelComment, Question, Response
from tests.kortlaegning.helpers import add_responses, close

SEEDS = range(300)


def random_tree(rng: random.Random) -> list[str]:
    """Materialised paths (4 characters a level) of a random tree of up to 4 levels."""
    paths, frontier = ["0001"], ["0001"]
    while frontier:
        parent = frontier.pop()
        if len(parent) >= 16:
            continue
        for i in range(rng.choice([0, 0, 1, 2, 3, 4])):
            child = f"{parent}{i + 1:04d}"
            paths.append(child)
            frontier.append(child)
    return sorted(paths)


def random_counts(rng: random.Random, paths: list[str]) -> dict[str, int]:
    return {p: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 12]) for p in paths}


def _atoms(shown: set[str], totals: dict[str, int]) -> dict[str, int]:
    """What each shown group has beyond its largest shown sub-groups (the laminar atoms)."""
    atoms = {}
    for path in shown:
        below = [p for p in shown if p != path and p.startswith(path)]
        maximal = [p for p in below if not any(q != p and p.startswith(q) for q in below)]
        atoms[path] = totals[path] - sum(totals[p] for p in maximal)
    return atoms


@pytest.mark.parametrize("seed", SEEDS)
def test_it_never_shows_a_group_that_subtraction_could_expose(seed):
    rng = random.Random(seed)
    paths = random_tree(rng)
    direct = random_counts(rng, paths)
    k = rng.choice([5, 5, 6, 8])
    shown = anonymity.shown_groups(root=paths[0], paths=paths, direct=direct, threshold=k)
    totals = anonymity.subtree_totals(paths, direct)

    # Threshold: nothing for a group under k; the round's own unit whenever it reaches k.
    assert all(totals[p] >= k for p in shown)
    assert (paths[0] in shown) == (totals[paths[0]] >= k)
    # Differencing: two shown groups where one contains the other differ by 0 or at least k.
    for outer in shown:
        for inner in shown:
            if inner != outer and inner.startswith(outer):
                difference = totals[outer] - totals[inner]
                assert difference == 0 or difference >= k, (outer, inner, difference)
    # Any set isolated by adding and subtracting shown figures is a union of atoms: each 0 or ≥ k.
    atoms = _atoms(shown, totals)
    assert all(n == 0 or n >= k for n in atoms.values()), atoms
    # Folding: every response still counts in the round's figure; none is dropped.
    if shown:
        assert sum(atoms.values()) == totals[paths[0]] == sum(direct.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_it_hides_a_second_sibling_when_exactly_one_is_hidden(seed):
    rng = random.Random(seed)
    paths = random_tree(rng)
    direct = random_counts(rng, paths)
    k = 5
    shown = anonymity.shown_groups(root=paths[0], paths=paths, direct=direct, threshold=k)
    totals = anonymity.subtree_totals(paths, direct)
    for parent in shown:
        if direct[parent]:
            continue
        children = [p for p in paths if p.startswith(parent) and len(p) == len(parent) + 4]
        with_answers = [c for c in children if totals[c] > 0]
        hidden = [c for c in with_answers if c not in shown]
        assert len(hidden) != 1 or len(with_answers) == 1, (parent, hidden)


def test_it_folds_a_small_sub_unit_into_its_parent():
    paths = ["0001", "00010001", "00010002"]
    direct = {"0001": 0, "00010001": 7, "00010002": 2}
    shown = anonymity.shown_groups(root="0001", paths=paths, direct=direct, threshold=5)
    assert shown == {"0001"}  # 2 hidden ⇒ 7 hidden too, else 9 − 7 = 2 would be exposed


def test_it_keeps_two_large_siblings_and_the_parent():
    paths = ["0001", "00010001", "00010002"]
    direct = {"0001": 0, "00010001": 7, "00010002": 6}
    shown = anonymity.shown_groups(root="0001", paths=paths, direct=direct, threshold=5)
    assert shown == {"0001", "00010001", "00010002"}


def test_it_hides_everything_under_the_threshold():
    shown = anonymity.shown_groups(root="0001", paths=["0001"], direct={"0001": 4}, threshold=5)
    assert shown == set()


# --- the same rules end to end: random trees in the database, results from the selectors -----


def _build(rng, parent, depth, units):
    for i in range(rng.choice([0, 1, 2, 3]) if depth < 3 else 0):
        child = unit_create(
            parent=parent,
            name=f"U{depth}-{i}-{rng.random():.6f}",
            kind="group",
            headcount=rng.randint(0, 12),
        )
        units.append(child)
        _build(rng, child, depth + 1, units)


@pytest.mark.parametrize("seed", range(12))
def test_it_applies_the_rules_to_real_results(seed, unit_a, leader_a, today):
    rng = random.Random(seed)
    units = [unit_a]
    _build(rng, unit_a, 1, units)
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title=f"R{seed}", opens_on=today, closes_on=today,
        threshold=rng.choice([5, 6]),
    )  # fmt: skip
    round = services.round_open(round=round, opened_by=leader_a)
    counts = {u.pk: rng.choice([0, 1, 2, 3, 5, 7]) for u in units}
    for unit in units:
        add_responses(round, unit, counts[unit.pk], rng.choice(["yes", "no", "partly"]))
    round = close(round, leader_a)
    results = selectors.round_results(round)
    shown = results.groups["employees"]
    total, k = sum(counts.values()), round.threshold
    paths = {u.pk: u.path for u in Unit.objects.filter(pk__in=counts)}

    assert bool(shown) == (total >= k)
    for figures in shown:
        assert figures.respondents >= k
        assert all(s.n == figures.respondents for s in figures.questions.values())
    for outer in shown:
        for inner in shown:
            if inner is not outer and inner.unit.path.startswith(outer.unit.path):
                difference = outer.respondents - inner.respondents
                assert difference == 0 or difference >= k
    if shown:
        assert shown[0].unit == unit_a and shown[0].respondents == total
        expected = anonymity.shown_groups(
            root=unit_a.path,
            paths=list(paths.values()),
            direct={paths[pk]: n for pk, n in counts.items()},
            threshold=k,
        )
        assert {f.unit.path for f in shown} == expected
    question = Question.objects.get(level="I", position=1)
    summary = selectors.question_summary(round=round, question=question)
    assert (summary is None) == (total < k)


def test_it_shows_comments_only_from_10_responses_without_dates(unit_a, leader_a, open_round):
    add_responses(open_round, unit_a, 9)
    for response in Response.objects.all():
        LevelComment.objects.create(response=response, level="I", text=f"k{response.pk}")
    closed = close(open_round, leader_a)
    assert selectors.round_results(closed).comments == []


def test_it_shuffles_comments_and_gives_only_level_and_text(unit_a, leader_a, open_round):
    add_responses(open_round, unit_a, 12)
    for i, response in enumerate(Response.objects.all()):
        LevelComment.objects.create(response=response, level="G", text=f"kommentar {i}")
    closed = close(open_round, leader_a)
    comments = selectors.round_results(closed).comments
    assert len(comments) == 12
    assert all(len(c) == 2 and c[0] == "G" for c in comments)


def test_it_shows_nothing_while_the_round_is_open(open_round, unit_a):
    add_responses(open_round, unit_a, 8)
    assert selectors.round_results(open_round) is None
    question = Question.objects.get(level="I", position=1)
    assert selectors.question_summary(round=open_round, question=question) is None


def _dialogue_round(unit_a, leader_a, today):
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Dialog", mode="dialogue",
        collection="open_link", opens_on=today, closes_on=today, threshold=1,
    )  # fmt: skip
    return services.round_open(round=round, opened_by=leader_a)


def _joint(round, unit, participants, summary="Aftalt"):
    from tests.kortlaegning.helpers import full_answers

    services.dialogue_record(
        round=round, unit=unit, participants=participants, summary=summary,
        answers=full_answers(round), comments={"I": "fælles"},
    )  # fmt: skip


def test_it_never_mixes_individual_answers_into_a_dialogue_figure(unit_a, leader_a, today):
    round = _dialogue_round(unit_a, leader_a, today)
    _joint(round, unit_a, 8)
    add_responses(round, unit_a, 2, "no")  # two people answered the open link on their own
    LevelComment.objects.create(
        response=Response.objects.filter(is_dialogue=False).first(), level="I", text="mig"
    )
    round = close(round, leader_a)
    results = selectors.round_results(round)
    dialogue = results.top(selectors.DIALOGUES)
    assert dialogue.respondents == 8
    assert all(s.n == 1 and s.distribution["no"] == 0 for s in dialogue.questions.values())
    assert results.top("employees") is None  # 2 individuals: under 5, whatever the round says
    assert [text for _, text in results.comments] == ["fælles"]
    assert results.dialogues == [(8, "Aftalt")]
    question = Question.objects.get(level="I", position=1)
    assert selectors.question_summary(round=round, question=question).n == 1


def test_it_applies_at_least_5_to_individuals_in_a_dialogue_round(unit_a, leader_a, today):
    round = _dialogue_round(unit_a, leader_a, today)
    add_responses(round, unit_a, 4)
    round = close(round, leader_a)
    assert selectors.round_results(round).top("employees") is None


def test_it_withholds_results_when_a_reopening_adds_too_few_answers(
    unit_a, leader_a, open_round, group_a1
):
    add_responses(open_round, unit_a, 6)
    add_responses(open_round, group_a1, 6)
    closed = close(open_round, leader_a)
    before = selectors.round_results(closed)
    assert len(before.groups["employees"]) == 2  # Institut A and Gruppe A1
    reopened = services.round_reopen(round=closed, reopened_by=leader_a, reason="Én mere")
    add_responses(reopened, group_a1, 1)  # comparing before and after would expose this one
    closed = close(reopened, leader_a)
    after = selectors.round_results(closed)
    assert after.groups["employees"] == [] and "employees" in after.withheld
    question = Question.objects.get(level="I", position=1)
    assert selectors.question_summary(round=closed, question=question) is None


def test_it_shows_a_reopened_round_without_sub_units_when_enough_answers_came(
    unit_a, leader_a, open_round, group_a1
):
    add_responses(open_round, unit_a, 6)
    add_responses(open_round, group_a1, 6)
    reopened = services.round_reopen(
        round=close(open_round, leader_a), reopened_by=leader_a, reason="Flere svar"
    )
    add_responses(reopened, group_a1, 5)
    after = selectors.round_results(close(reopened, leader_a))
    assert [g.unit for g in after.groups["employees"]] == [unit_a]
    assert after.top("employees").respondents == 17
