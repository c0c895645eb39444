"""A round's results are decided once, when it closes, and stored: the result snapshot.

``snapshot_build`` reads the round's raw answers once, aggregated in the database, and writes:

* the unit tree of the round as it stood at closing (``ResultUnit``: id, name, kind, path,
  subtree headcount), so that a later re-organisation changes nothing that was published;
* per reported group — a unit with its subtree × a respondent group (employees, dialogue meetings,
  leadership) — the respondents, answer sets and the decision made by the anonymity rules
  (``anonymity``): shown, folded into the unit above (too few, or exposable by subtraction, or not
  broken down after a reopening), or withheld (the round's own unit under the threshold, or too few
  answers came in after a reopening), with the reason;
* for shown groups only: the count of each choice per question and the level scores;
* free text (comments, dialogue summaries) only for the round's own unit, per respondent group,
  when that group is shown and — for comments — has at least 10 respondents. Texts get a random
  order once, here.

Raw answers feed this function and nothing else. It is idempotent (a rebuild replaces the
snapshot) and runs inside the closing transaction, so a failure leaves the round open and nothing
half-written. The model classes are passed in, so the data migration for rounds closed before the
snapshot existed runs the very same code on its historical models.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from kortlaegning import anonymity

LEVEL_ORDER = ["I", "G", "L", "O"]
CHOICES = ["yes", "partly", "no", "dont_know"]
SCORE_WEIGHTS = {"yes": 100, "partly": 50, "no": 0}  # "don't know" is left out of the score
ATTENTION_BELOW = 60  # a question whose score is under this needs attention
BATCH = 5000


def question_score(counts: dict[str, int]) -> float | None:
    """0–100: yes 100, partly 50, no 0; None when everybody said "don't know"."""
    judged = sum(counts.get(c, 0) for c in SCORE_WEIGHTS)
    if not judged:
        return None
    return round(sum(counts.get(c, 0) * w for c, w in SCORE_WEIGHTS.items()) / judged, 1)


def level_scores(counts: dict[int, dict[str, int]], level_of: dict[int, str]) -> list[list]:
    """[level, mean of its question scores, questions needing attention] per level answered."""
    out = []
    for level in LEVEL_ORDER:
        scores = [question_score(c) for qid, c in counts.items() if level_of.get(qid) == level]
        if not scores:
            continue
        judged = [s for s in scores if s is not None]
        mean = round(sum(judged) / len(judged), 1) if judged else None
        attention = sum(1 for s in judged if s < ATTENTION_BELOW)
        out.append([level, mean, attention])
    return out


@dataclass
class Models:
    """The model classes the build uses (the live ones, or a migration's historical ones)."""

    Unit: Any
    Round: Any
    RoundEvent: Any
    RoundQuestion: Any
    Response: Any
    LevelComment: Any
    ResultSnapshot: Any
    ResultUnit: Any
    ResultGroup: Any
    ResultCount: Any
    ResultText: Any
    # A row per answer: only in the historical models from before the answers moved into their
    # response (migration 0010), which migration 0006 builds with.
    Answer: Any = None

    @classmethod
    def live(cls) -> Models:
        from amg_portal.organisation.models import Unit
        from kortlaegning import models as m

        return cls(
            Unit=Unit,
            Round=m.Round,
            RoundEvent=m.RoundEvent,
            RoundQuestion=m.RoundQuestion,
            Response=m.Response,
            LevelComment=m.LevelComment,
            ResultSnapshot=m.ResultSnapshot,
            ResultUnit=m.ResultUnit,
            ResultGroup=m.ResultGroup,
            ResultCount=m.ResultCount,
            ResultText=m.ResultText,
        )

    @classmethod
    def historical(cls, apps) -> Models:
        get = apps.get_model
        try:
            answer = get("kortlaegning", "Answer")
        except LookupError:
            answer = None
        return cls(
            Unit=get("organisation", "Unit"),
            Answer=answer,
            **{
                name: get("kortlaegning", name)
                for name in (
                    "Round",
                    "RoundEvent",
                    "RoundQuestion",
                    "Response",
                    "LevelComment",
                    "ResultSnapshot",
                    "ResultUnit",
                    "ResultGroup",
                    "ResultCount",
                    "ResultText",
                )
            },
        )


def snapshot_build(*, round, models: Models | None = None):
    """(Re)build the result snapshot of a closed ``round`` from its raw answers (idempotent)."""
    return _Build(round, models or Models.live()).run()


def people_by_group(round) -> dict[str, int]:
    """Respondents per reported group (dialogue participants counted), for the closing event."""
    from kortlaegning.models import Response

    totals = dict.fromkeys(anonymity.RESULT_GROUPS, 0)
    for row in (
        Response.objects.filter(round=round)
        .values("group", "is_dialogue")
        .annotate(n=Sum("participants"))
        .order_by()
    ):
        totals[anonymity.result_group(row["group"], row["is_dialogue"])] += row["n"]
    return totals


def withheld_after_reopening(
    closings: list[dict[str, int]], round_threshold: int
) -> tuple[set[str], bool]:
    """Groups withheld because a reopening added too few answers (0 < added < threshold between
    two closings), and whether the round was ever reopened."""
    withheld = set()
    for before, after in itertools.pairwise(closings):
        for group in anonymity.RESULT_GROUPS:
            added = after.get(group, 0) - before.get(group, 0)
            if 0 < added < anonymity.threshold_for(round_threshold, group):
                withheld.add(group)
    return withheld, len(closings) > 1


class _Build:
    def __init__(self, round, m: Models):
        self.m = m
        self.round = m.Round.objects.select_related("unit").get(pk=round.pk)
        self.root = self.round.unit

    def run(self):
        m, rnd = self.m, self.round
        m.ResultSnapshot.objects.filter(round_id=rnd.pk).delete()
        units = list(
            m.Unit.objects.filter(path__startswith=self.root.path)
            .order_by("path")
            .values("id", "path", "depth", "name", "kind", "headcount")
        )
        self.by_id = {u["id"]: u for u in units}
        self.level_of = dict(
            m.RoundQuestion.objects.filter(round_id=rnd.pk).values_list(
                "question_id", "question__level"
            )
        )
        people, answer_sets = self._people()
        counts = self._answer_counts()
        closings = list(
            m.RoundEvent.objects.filter(round_id=rnd.pk, kind="closed")
            .order_by("at", "pk")
            .values_list("counts", flat=True)
        )
        withheld, reopened = withheld_after_reopening(closings, rnd.threshold)
        closed_at = rnd.closed_at or self._last_closing() or timezone.now()
        snapshot = m.ResultSnapshot.objects.create(
            round_id=rnd.pk, closed_at=closed_at, reopened=reopened
        )
        result_units = self._write_units(snapshot, units)
        paths = [u["path"] for u in units]
        groups, count_rows = [], []
        for group in anonymity.RESULT_GROUPS:
            direct = {self.by_id[uid]["path"]: n for uid, n in people[group].items()}
            if not direct:
                continue
            rows = self._decide(group, paths, direct, withheld, reopened)
            totals, sets = (
                self._rolled(direct),
                self._rolled({self.by_id[uid]["path"]: n for uid, n in answer_sets[group].items()}),
            )
            shown_paths = {p for p, (decision, _) in rows.items() if decision == "shown"}
            summed = self._summed_counts(counts[group], shown_paths)
            for path, (decision, reason) in rows.items():
                figures = summed.get(path, {})
                record = m.ResultGroup(
                    snapshot=snapshot,
                    unit=result_units[path],
                    group=group,
                    respondents=totals[path],
                    responses=sets.get(path, 0),
                    decision=decision,
                    reason=reason,
                    levels=level_scores(figures, self.level_of) if decision == "shown" else [],
                    texts_shown=(
                        decision == "shown"
                        and path == self.root.path
                        and self._texts_allowed(group, totals[path])
                    ),
                )
                groups.append(record)
                if decision == "shown":
                    count_rows.extend(
                        (record, qid, figures[qid])
                        for qid in sorted(figures)
                        if qid in self.level_of
                    )
        m.ResultGroup.objects.bulk_create(groups, batch_size=BATCH)
        self._copy_levels_to_units(result_units, groups)
        m.ResultCount.objects.bulk_create(
            (
                m.ResultCount(group=record, question_id=qid, **{c: n.get(c, 0) for c in CHOICES})
                for record, qid, n in count_rows
            ),
            batch_size=BATCH,
        )
        self._write_texts([g for g in groups if g.texts_shown])
        return snapshot

    def _last_closing(self):
        return (
            self.m.RoundEvent.objects.filter(round_id=self.round.pk, kind="closed")
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )

    # --- reading the raw answers (aggregated in the database) ---------------------------------

    def _unit_of(self, unit_id: int) -> int:
        """A response counts for its unit; one whose unit has left the subtree since counts for
        the round's own unit (it was given for this round)."""
        return unit_id if unit_id in self.by_id else self.root.pk

    def _people(self):
        people: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        answer_sets: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for row in (
            self.m.Response.objects.filter(round_id=self.round.pk)
            .values("group", "is_dialogue", "unit_id")
            .annotate(n=Sum("participants"), k=Count("id"))
            .order_by()
        ):
            group = anonymity.result_group(row["group"], row["is_dialogue"])
            unit_id = self._unit_of(row["unit_id"])
            people[group][unit_id] += row["n"]
            answer_sets[group][unit_id] += row["k"]
        return people, answer_sets

    def _answer_counts(self):
        """group → unit id → question → choice → answers, in one aggregate query."""
        counts: dict[str, dict[int, dict[int, dict[str, int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
        )
        for group, is_dialogue, unit_id, question_id, choice, n in self._answer_rows():
            bucket = counts[anonymity.result_group(group, is_dialogue)][self._unit_of(unit_id)]
            bucket[int(question_id)][choice] += n
        return counts

    def _answer_rows(self) -> list[tuple]:
        """(group, is dialogue, unit id, question id, choice, answers) of the round's answer
        sets, counted in the database: each response's answers expanded from its JSON object
        (``jsonb_each_text`` in PostgreSQL, ``json_each`` in SQLite) and grouped."""
        if self.m.Answer is not None:  # the historical models from before migration 0010
            return list(
                self.m.Answer.objects.filter(response__round_id=self.round.pk)
                .values_list(
                    "response__group",
                    "response__is_dialogue",
                    "response__unit_id",
                    "question_id",
                    "choice",
                )
                .annotate(n=Count("id"))
                .order_by()
            )
        q = connection.ops.quote_name
        expand = "jsonb_each_text" if connection.vendor == "postgresql" else "json_each"
        # Only identifiers from the model are formatted in; the round is a parameter.
        sql = (
            f"SELECT r.{q('group')}, r.is_dialogue, r.unit_id, a.key, a.value, count(*)"  # noqa: S608
            f" FROM {q(self.m.Response._meta.db_table)} r CROSS JOIN {expand}(r.answers) a"
            " WHERE r.round_id = %s GROUP BY 1, 2, 3, 4, 5"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.round.pk])
            return cursor.fetchall()

    # --- deciding ------------------------------------------------------------------------------

    def _rolled(self, direct: dict[str, int]) -> dict[str, int]:
        return anonymity.subtree_totals(
            [u["path"] for u in self.by_id.values()], direct, self._steplen()
        )

    def _steplen(self) -> int:
        return len(self.root.path) // max(self.root.depth, 1)

    def _decide(
        self, group: str, paths: list[str], direct: dict[str, int], withheld, reopened
    ) -> dict[str, tuple[str, str]]:
        """path → (decision, reason) for every unit whose subtree has respondents."""
        totals = self._rolled(direct)
        present = [p for p in paths if totals[p] > 0]
        threshold = anonymity.threshold_for(self.round.threshold, group)
        root = self.root.path
        if group in withheld:
            return {p: ("withheld", "increment") for p in present}
        if totals[root] < threshold:
            return {p: ("withheld", "threshold") for p in present}
        shown = anonymity.shown_groups(
            root=root, paths=paths, direct=direct, threshold=threshold, steplen=self._steplen()
        )
        decisions = {}
        for path in present:
            if path in shown and (path == root or not reopened):
                decisions[path] = ("shown", "")
            elif reopened and path != root:
                decisions[path] = ("folded", "reopened")
            elif totals[path] < threshold:
                decisions[path] = ("folded", "threshold")
            else:
                decisions[path] = ("folded", "difference")
        return decisions

    def _summed_counts(self, by_unit, shown_paths: set[str]) -> dict[str, dict[int, dict]]:
        """Choice counts per shown path, summed over its subtree (bottom-up, once per unit)."""
        if not shown_paths:
            return {}
        steplen = self._steplen()
        summed: dict[str, dict[int, dict[str, int]]] = {}
        for unit_id, questions in by_unit.items():
            path = self.by_id[unit_id]["path"]
            for end in range(len(self.root.path), len(path) + 1, steplen):
                prefix = path[:end]
                if prefix not in shown_paths:
                    continue
                target = summed.setdefault(prefix, {})
                for qid, choices in questions.items():
                    slot = target.setdefault(qid, {})
                    for choice, n in choices.items():
                        slot[choice] = slot.get(choice, 0) + n
        return summed

    def _texts_allowed(self, group: str, respondents: int) -> bool:
        if group == anonymity.DIALOGUES:
            return True  # summaries follow the group; comments are checked in _write_texts
        return respondents >= anonymity.COMMENTS_MIN_RESPONDENTS

    # --- writing -------------------------------------------------------------------------------

    def _write_units(self, snapshot, units: list[dict]) -> dict[str, Any]:
        """The subtree as it stands now, level by level so that each row knows its parent."""
        steplen = self._steplen()
        headcount = self._rolled({u["path"]: u["headcount"] for u in units})
        written: dict[str, Any] = {}
        for _depth, level in itertools.groupby(
            sorted(units, key=lambda u: (u["depth"], u["path"])), key=lambda u: u["depth"]
        ):
            rows = [
                self.m.ResultUnit(
                    snapshot=snapshot,
                    unit_id=u["id"],
                    parent=written.get(u["path"][:-steplen])
                    if u["path"] != self.root.path
                    else None,
                    path=u["path"],
                    depth=u["depth"] - self.root.depth,
                    name=u["name"],
                    kind=u["kind"],
                    headcount=headcount[u["path"]],
                )
                for u in level
            ]
            self.m.ResultUnit.objects.bulk_create(rows, batch_size=BATCH)
            written.update((row.path, row) for row in rows)
        return written

    def _copy_levels_to_units(self, result_units: dict[str, Any], groups: list) -> None:
        shown: dict[str, dict[str, list]] = defaultdict(dict)
        for record in groups:
            if record.decision == "shown":
                shown[record.unit.path][record.group] = record.levels
        steplen = self._steplen()
        below = {p[:end] for p in shown for end in range(steplen, len(p), steplen)}
        for path, levels in shown.items():
            result_units[path].shown_levels = levels
        for path in below & result_units.keys():
            result_units[path].shown_below = True
        self.m.ResultUnit.objects.bulk_update(
            [result_units[path] for path in shown.keys() | (below & result_units.keys())],
            ["shown_levels", "shown_below"],
            batch_size=BATCH,
        )

    def _write_texts(self, groups: list) -> None:
        rng = random.SystemRandom()
        rows = []
        for record in groups:
            kinds = [False] if record.group != anonymity.DIALOGUES else [True]
            responses = self.m.Response.objects.filter(round_id=self.round.pk)
            if record.group == anonymity.DIALOGUES:
                responses = responses.filter(is_dialogue=True)
            else:
                responses = responses.filter(group=record.group, is_dialogue=False)
            texts = []
            if record.respondents >= anonymity.COMMENTS_MIN_RESPONDENTS:
                texts += [
                    ("comment", level, None, text)
                    for level, text in self.m.LevelComment.objects.filter(
                        response__in=responses, response__is_dialogue__in=kinds
                    ).values_list("level", "text")
                ]
            if record.group == anonymity.DIALOGUES:
                texts += [
                    ("summary", "", participants, summary)
                    for participants, summary in responses.exclude(summary="").values_list(
                        "participants", "summary"
                    )
                ]
            rng.shuffle(texts)
            rows.extend(
                self.m.ResultText(
                    group=record, kind=kind, level=level, participants=p, text=text, position=i
                )
                for i, (kind, level, p, text) in enumerate(texts)
            )
        self.m.ResultText.objects.bulk_create(rows, batch_size=BATCH)
