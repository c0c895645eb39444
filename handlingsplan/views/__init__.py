"""Views of the APV cycle, split by page area."""

from handlingsplan.views.calendar import calendar_feed, calendar_settings
from handlingsplan.views.cycles import (
    absence_create,
    assessment_edit,
    cycle_create,
    cycle_detail,
    cycle_guidelines,
    cycle_step,
    index,
    note_create,
    risk_factor_create,
    risk_factor_edit,
)
from handlingsplan.views.documents import apv_pdf, apv_read, meeting_pdf
from handlingsplan.views.measures import (
    follow_up_add,
    measure_board,
    measure_create,
    measure_detail,
    measure_edit,
    measure_list,
    milestone_add,
    milestone_done,
)
from handlingsplan.views.meetings import evaluation_record, meeting_create, meeting_detail

__all__ = [
    "absence_create",
    "apv_pdf",
    "apv_read",
    "assessment_edit",
    "calendar_feed",
    "calendar_settings",
    "cycle_create",
    "cycle_detail",
    "cycle_guidelines",
    "cycle_step",
    "evaluation_record",
    "follow_up_add",
    "index",
    "measure_board",
    "measure_create",
    "measure_detail",
    "measure_edit",
    "measure_list",
    "meeting_create",
    "meeting_detail",
    "meeting_pdf",
    "milestone_add",
    "milestone_done",
    "note_create",
    "risk_factor_create",
    "risk_factor_edit",
]
