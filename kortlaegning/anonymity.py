"""Which groups of a round may show figures: thresholds, folding and differencing.

A round covers a unit and its subtree. Each unit's *group* is its whole subtree, so a sub-unit that
is too small to show still counts in its parent's figures ("folded", never dropped). Two shown
groups where one contains the other can be subtracted, so we also require:

* for every shown group, its *residual* — the responses it has beyond its largest shown
  sub-groups — is 0 or at least the threshold. The shown groups form a tree (laminar family); any
  set an attacker can isolate by adding and subtracting shown figures is a union of residuals, so
  every such set is empty or has at least ``threshold`` responses. This covers both rules of the
  issue: a parent and a child differ by 0 or ≥ threshold, and when exactly one sibling is hidden a
  second one is hidden too (hiding the smallest shown sibling until the residual is safe).

The functions work on counts only and are linear in the number of units (times the tree depth):
they run once per round, when the round closes and its result snapshot is built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

STEPLEN = 4  # characters per level of a materialised path (django-treebeard's default)

# Respondent groups are reported apart; joint answer sets of dialogue meetings form their own group,
# so they are never mixed with (and subtracted from) individual answers.
EMPLOYEES, DIALOGUES, LEADERSHIP = "employees", "dialogues", "leadership"
RESULT_GROUPS = [EMPLOYEES, DIALOGUES, LEADERSHIP]
MIN_INDIVIDUAL_THRESHOLD = 5  # individual answers are never shown for fewer, whatever the round
COMMENTS_MIN_RESPONDENTS = 10  # free text of a group is listed from this many respondents up


def threshold_for(round_threshold: int, group: str) -> int:
    """The round's threshold; never under 5 for individual answers (a dialogue round may set a
    lower one for its joint answer sets, counted by participants)."""
    if group == DIALOGUES:
        return round_threshold
    return max(round_threshold, MIN_INDIVIDUAL_THRESHOLD)


def result_group(group: str, is_dialogue: bool) -> str:
    """The reported group of a response: dialogue answer sets are a group of their own."""
    return DIALOGUES if is_dialogue else group


def _prefixes(path: str, steplen: int) -> range:
    return range(steplen, len(path) + 1, steplen)


def subtree_totals(
    paths: Iterable[str], direct: Mapping[str, int], steplen: int = STEPLEN
) -> dict[str, int]:
    """For each path, the sum of ``direct`` over the path and every path below it."""
    totals = dict.fromkeys(paths, 0)
    for path, n in direct.items():
        if not n:
            continue
        for end in _prefixes(path, steplen):
            if path[:end] in totals:
                totals[path[:end]] += n
    return totals


def _nearest_shown_above(path: str, shown: set[str], steplen: int) -> str | None:
    for end in range(len(path) - steplen, 0, -steplen):
        if path[:end] in shown:
            return path[:end]
    return None


def shown_groups(
    *,
    root: str,
    paths: Iterable[str],
    direct: Mapping[str, int],
    threshold: int,
    steplen: int = STEPLEN,
) -> set[str]:
    """The paths (within ``root``'s subtree) whose figures may be shown."""
    totals = subtree_totals([p for p in paths if p.startswith(root)], direct, steplen)
    if totals.get(root, 0) < threshold:
        return set()
    shown = {p for p, n in totals.items() if n >= threshold}
    below: dict[str, set[str]] = defaultdict(set)  # shown path → its maximal shown sub-groups
    for path in shown:
        above = _nearest_shown_above(path, shown, steplen)
        if above is not None:
            below[above].add(path)
    # Top-down: hiding a sub-group of ``path`` changes only ``path``'s residual (its sub-groups
    # move up to ``path``), never that of a group above it, so one pass reaches the fixed point.
    for path in sorted(shown, key=lambda p: (len(p), p)):
        if path not in shown:
            continue
        while True:
            children = below[path]
            residual = totals[path] - sum(totals[c] for c in children)
            if not 0 < residual < threshold:
                break
            smallest = min(children, key=lambda c: (totals[c], c))
            shown.discard(smallest)
            children.discard(smallest)
            children |= below.pop(smallest, set())
    return shown
