"""The guide's four steps and who does what in each (Danish text lives in the catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from handlingsplan.models import Cycle

# (step, [(who, what)]) — from "Systematisk forebyggelse af arbejdsrelateret stress", steps 1–4.
STEP_ROLES = {
    Cycle.Step.MAP: [
        (_("Leader"), _("Sets the frame for the mapping and has access to the data.")),
        (_("AMR / TR"), _("Collect the employees' perspectives, e.g. in conversations.")),
        (_("AMG"), _("Gathers the risk picture: mapping results, absence figures, cases.")),
    ],
    Cycle.Step.ASSESS: [
        (_("Leader"), _("Distributes responsibility and decides on each assessment.")),
        (_("AMR / TR"), _("Make sure the employee group is involved.")),
        (_("AMG"), _("Weighs how often a risk factor occurs against its prevention.")),
    ],
    Cycle.Step.PREVENT: [
        (_("Leader"), _("Involves AMR/TR in designing and trying out the measures.")),
        (
            _("AMR / TR"),
            _("Bring employee perspectives, point out possibilities and barriers in daily work."),
        ),
        (_("AMG"), _("Writes the action plan: goals, measures, responsibility, schedule.")),
    ],
    Cycle.Step.SUPERVISE: [
        (_("Leader"), _("Sets the frame and decides, on input from AMR/TR (§26).")),
        (_("AMR / TR"), _("Bring observations from daily work into the status meetings.")),
        (_("AMG"), _("Holds status meetings, documents conclusions, drops what does not work.")),
    ],
}

STEP_INTRO = {
    Cycle.Step.MAP: _("Map the risk factors: mapping rounds, absence figures, conversations."),
    Cycle.Step.ASSESS: _("Assess the balance between each risk factor and its prevention."),
    Cycle.Step.PREVENT: _("Think small: try a few easy solutions, assess the effect, scale up."),
    Cycle.Step.SUPERVISE: _("Follow up at AMG status meetings and adjust or drop measures."),
}


def steps(current: int) -> list[dict]:
    """The four steps for the cycle page, marking the current one."""
    return [
        {
            "number": value,
            "label": label,
            "intro": STEP_INTRO[value],
            "roles": STEP_ROLES[value],
            "state": "done" if value < current else "current" if value == current else "todo",
        }
        for value, label in Cycle.Step.choices
    ]
