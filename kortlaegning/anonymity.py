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

The function works on counts only; the selectors feed it counts aggregated in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def subtree_totals(paths: Iterable[str], direct: Mapping[str, int]) -> dict[str, int]:
    """For each path, the sum of ``direct`` over the path and every path below it."""
    paths = list(paths)
    return {path: sum(n for other, n in direct.items() if other.startswith(path)) for path in paths}


def _maximal_below(path: str, shown: set[str]) -> list[str]:
    below = [p for p in shown if p != path and p.startswith(path)]
    return [p for p in below if not any(q != p and p.startswith(q) for q in below)]


def shown_groups(
    *, root: str, paths: Iterable[str], direct: Mapping[str, int], threshold: int
) -> set[str]:
    """The paths (within ``root``'s subtree) whose figures may be shown."""
    totals = subtree_totals([p for p in paths if p.startswith(root)], direct)
    if totals.get(root, 0) < threshold:
        return set()
    shown = {p for p, n in totals.items() if n >= threshold}
    changed = True
    while changed:
        changed = False
        for path in sorted(shown, key=len):
            maximal = _maximal_below(path, shown)
            residual = totals[path] - sum(totals[p] for p in maximal)
            if 0 < residual < threshold:
                shown.discard(min(maximal, key=lambda p: (totals[p], p)))
                changed = True
                break
    return shown
