"""An organisation import's summary in words, for the command line and the preview page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass
class Line:
    """One count of the diff, with the changes it covers (at most ``hr_import.SAMPLE``)."""

    group: str
    key: str
    label: str
    count: int
    samples: list[str] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.samples))


LABELS = {
    ("units", "created"): gettext_lazy("Units created"),
    ("units", "updated"): gettext_lazy("Units updated"),
    ("units", "moved"): gettext_lazy("Units moved"),
    ("units", "archived"): gettext_lazy("Units archived"),
    ("units", "unchanged"): gettext_lazy("Units unchanged"),
    ("people", "created"): gettext_lazy("People created"),
    ("people", "updated"): gettext_lazy("People updated"),
    ("people", "deactivated"): gettext_lazy("People deactivated"),
    ("people", "unchanged"): gettext_lazy("People unchanged"),
    ("roles", "added"): gettext_lazy("Roles added"),
    ("roles", "removed"): gettext_lazy("Roles removed"),
    ("roles", "kept_by_hand"): gettext_lazy("Roles in the file already assigned by hand (kept)"),
}


def summary_table(summary: dict) -> list[Line]:
    """The counts in a fixed order, each with its sample of changes."""
    counts, samples = summary.get("counts", {}), summary.get("samples", {})
    return [
        Line(
            group,
            key,
            str(label),
            counts.get(group, {}).get(key, 0),
            samples.get(f"{group}_{key}", []),
        )
        for (group, key), label in LABELS.items()
    ]


def has_changes(summary: dict) -> bool:
    """Does the summary describe any change at all?"""
    return any(
        line.count
        for line in summary_table(summary)
        if line.key not in ("unchanged", "kept_by_hand")
    )


def summary_lines(summary: dict) -> list[str]:
    """The summary as plain text lines: counts, then the listed changes, then warnings."""
    table = summary_table(summary)
    width = max(len(line.label) for line in table)
    lines = [f"{line.label:<{width}}  {line.count:>7}" for line in table]
    for line in table:
        if line.samples and line.key != "unchanged":
            lines.append("")
            lines.append(f"{line.label}:")
            lines += [f"  {text}" for text in line.samples]
            if line.more:
                lines.append("  " + _("… and %(count)d more") % {"count": line.more})
    lines += [""] + [_("Note: %(text)s") % {"text": text} for text in summary.get("warnings", [])]
    if not has_changes(summary):
        lines.append(_("Nothing to change: the organisation already matches the files."))
    return lines
