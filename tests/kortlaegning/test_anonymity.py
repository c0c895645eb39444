"""The anonymity rules as properties over random unit trees and response counts (Hypothesis: a
failure shrinks to a small tree)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amg_portal.organisation.models import Unit
from kortlaegning import anonymity, results, services
from kortlaegning.models import LevelComment, Question, Response
from tests.kortlaegning.helpers import (
    add_responses,
    build_sub_units,
    close,
    rolled_back,
    shown_groups,
    sub_unit_trees,
    texts,
)


@st.composite
def trees(draw) -> tuple[list[str], dict[str, int], int]:
    """A random unit tree (materialised paths, 4 characters a level, up to 4 levels), the
    respondents of each unit and a threshold — shrinking to a small counter-example."""
    paths, frontier = ["0001"], ["0001"]
    while frontier:
        parent = frontier.pop()
        if len(parent) >= 16:
            continue
        for i in range(draw(st.integers(0, 4))):
            child = f"{parent}{i + 1:04d}"
            paths.append(child)
            frontier.append(child)
        if len(paths) > 40:
            break
    paths = sorted(paths)
    direct = {p: draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 12])) for p in paths}
    return paths, direct, draw(st.sampled_from([5, 5, 6, 8]))


def _atoms(shown: set[str], totals: dict[str, int]) -> dict[str, int]:
    """What each shown group has beyond its largest shown sub-groups (the laminar atoms)."""
    atoms = {}
    for path in shown:
        below = [p for p in shown if p != path and p.startswith(path)]
        maximal = [p for p in below if not any(q != p and p.startswith(q) for q in below)]
        atoms[path] = totals[path] - sum(totals[p] for p in maximal)
    return atoms


@settings(max_examples=300, deadline=None)
@given(trees())
def test_it_never_shows_a_group_that_subtraction_could_expose(tree):
    paths, direct, k = tree
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


@settings(max_examples=300, deadline=None)
@given(trees())
def test_it_hides_a_second_sibling_when_exactly_one_is_hidden(tree):
    paths, direct, _ = tree
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

CHOICES = st.sampled_from(["yes", "no", "partly"])
RESPONDENTS = st.sampled_from([0, 1, 2, 3, 5, 7])


@settings(
    max_examples=12,
    deadline=None,
    # The fixtures are made once; each example runs in its own rolled-back savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tree=sub_unit_trees(
        min_units=0,
        max_units=12,
        max_depth=2,
        headcounts=st.integers(0, 12),
        respondents=RESPONDENTS,
        choices=CHOICES,
    ),
    own=RESPONDENTS,
    own_choice=CHOICES,
    threshold=st.sampled_from([5, 6]),
)
def test_it_applies_the_rules_to_real_results(
    unit_a, leader_a, today, tree, own, own_choice, threshold
):
    with rolled_back():
        _check_real_results(unit_a, leader_a, today, tree, own, own_choice, threshold)


def _check_real_results(unit_a, leader_a, today, tree, own, own_choice, threshold):
    units = build_sub_units(Unit.objects.get(pk=unit_a.pk), tree)
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="R", opens_on=today, closes_on=today,
        threshold=threshold,
    )  # fmt: skip
    round = services.round_open(round=round, opened_by=leader_a)
    counts = {unit_a.pk: own}
    add_responses(round, unit_a, own, own_choice)
    for unit, row in zip(units[1:], tree, strict=True):
        counts[unit.pk] = row.respondents
        add_responses(round, unit, row.respondents, row.choice)
    round = close(round, leader_a)
    shown = shown_groups(round)
    total, k = sum(counts.values()), round.threshold
    paths = {u.pk: u.path for u in Unit.objects.filter(pk__in=counts)}

    assert bool(shown) == (total >= k)
    for figures in shown:
        assert figures.respondents >= k
        assert all(
            c.yes + c.partly + c.no + c.dont_know == figures.respondents
            for c in figures.counts.all()
        )
    for outer in shown:
        for inner in shown:
            if inner is not outer and inner.unit.path.startswith(outer.unit.path):
                difference = outer.respondents - inner.respondents
                assert difference == 0 or difference >= k
    if shown:
        assert shown[0].unit.unit_id == unit_a.pk and shown[0].respondents == total
        expected = anonymity.shown_groups(
            root=unit_a.path,
            paths=list(paths.values()),
            direct={paths[pk]: n for pk, n in counts.items()},
            threshold=k,
        )
        assert {f.unit.path for f in shown} == expected
    question = Question.objects.get(level="I", position=1)
    summary = results.question_summary(round=round, question=question, user=leader_a)
    assert (summary is None) == (total < k)


def test_it_shows_comments_only_from_10_responses_without_dates(unit_a, leader_a, open_round):
    add_responses(open_round, unit_a, 9)
    for response in Response.objects.all():
        LevelComment.objects.create(response=response, level="I", text=f"k{response.pk}")
    closed = close(open_round, leader_a)
    assert texts(closed) == []
    assert results.round_results(closed, user=leader_a).texts is None


def test_it_shuffles_comments_and_gives_only_level_and_text(unit_a, leader_a, open_round):
    add_responses(open_round, unit_a, 12)
    for i, response in enumerate(Response.objects.all()):
        LevelComment.objects.create(response=response, level="G", text=f"kommentar {i}")
    closed = close(open_round, leader_a)
    page = results.round_results(closed, user=leader_a).texts
    assert len(page) == 12
    assert {(t.kind, t.level, t.group_name) for t in page} == {("comment", "G", "employees")}
    assert sorted(t.text for t in page) == sorted(f"kommentar {i}" for i in range(12))


def test_it_shows_nothing_while_the_round_is_open(open_round, unit_a, leader_a):
    add_responses(open_round, unit_a, 8)
    assert results.round_results(open_round, user=leader_a) is None
    question = Question.objects.get(level="I", position=1)
    assert results.question_summary(round=open_round, question=question, user=leader_a) is None


def _dialogue_round(unit_a, leader_a, today):
    Unit.objects.filter(pk=unit_a.pk).update(headcount=20)  # room for a meeting of 8
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
    found = results.round_results(round, user=leader_a)
    dialogue = found.top(anonymity.DIALOGUES)
    assert dialogue.respondents == 8
    assert all(s.n == 1 and s.distribution["no"] == 0 for s in dialogue.questions.values())
    assert found.top("employees") is None  # 2 individuals: under 5, whatever the round says
    # 8 participants are under 10: no comments, but the collectors' summary of the meeting.
    assert [(t.kind, t.text) for t in found.texts] == [("summary", "Aftalt")]
    question = Question.objects.get(level="I", position=1)
    assert results.question_summary(round=round, question=question, user=leader_a).n == 1


def test_it_applies_at_least_5_to_individuals_in_a_dialogue_round(unit_a, leader_a, today):
    round = _dialogue_round(unit_a, leader_a, today)
    add_responses(round, unit_a, 4)
    round = close(round, leader_a)
    assert results.round_results(round, user=leader_a).top("employees") is None


def test_it_withholds_results_when_a_reopening_adds_too_few_answers(
    unit_a, leader_a, open_round, group_a1
):
    add_responses(open_round, unit_a, 6)
    add_responses(open_round, group_a1, 6)
    closed = close(open_round, leader_a)
    assert len(shown_groups(closed)) == 2  # Institut A and Gruppe A1
    reopened = services.round_reopen(round=closed, reopened_by=leader_a, reason="Én mere")
    add_responses(reopened, group_a1, 1)  # comparing before and after would expose this one
    closed = close(reopened, leader_a)
    after = results.round_results(closed, user=leader_a)
    assert shown_groups(closed) == [] and "employees" in after.withheld
    question = Question.objects.get(level="I", position=1)
    assert results.question_summary(round=closed, question=question, user=leader_a) is None


def test_it_shows_a_reopened_round_without_sub_units_when_enough_answers_came(
    unit_a, leader_a, open_round, group_a1
):
    add_responses(open_round, unit_a, 6)
    add_responses(open_round, group_a1, 6)
    reopened = services.round_reopen(
        round=close(open_round, leader_a), reopened_by=leader_a, reason="Flere svar"
    )
    add_responses(reopened, group_a1, 5)
    after = close(reopened, leader_a)
    assert [g.unit.unit_id for g in shown_groups(after)] == [unit_a.pk]
    assert results.round_results(after, user=leader_a).top("employees").respondents == 17
