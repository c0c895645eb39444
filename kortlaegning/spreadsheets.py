"""A round's shown figures as a spreadsheet: CSV and XLSX, one row per group and question."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kortlaegning.models import Question, QuestionVersion, Round
from kortlaegning.result_charts import group_labels
from kortlaegning.results import ExportRow, QuestionSummary
from kortlaegning.snapshot import CHOICES

HEADER = [
    "group", "unit", "respondents", "level", "question", "text", "answers",
    "yes", "partly", "no", "dont_know", "score",
]  # fmt: skip


def result_rows(rows: list[ExportRow], questions: dict[int, tuple[Question, QuestionVersion]]):
    """The shown figures as rows (one per shown group and question), units as at closing."""
    labels = group_labels()
    out = []
    for row in rows:
        question, version = questions[row.question_id]
        summary: QuestionSummary = row.summary
        out.append(
            [
                str(labels[row.group]), row.unit, row.respondents, question.level,
                question.code, version.text(), summary.n,
                *(summary.distribution[c] for c in CHOICES),
                summary.score if summary.score is not None else "",
            ]
        )  # fmt: skip
    return out


def _filename(round: Round, ext: str) -> str:
    return f"kortlaegning-{round.pk}-{slugify(round.title)[:40] or 'resultater'}.{ext}"


def results_csv(round: Round, rows: list[list]) -> HttpResponse:
    """The rows as a semicolon-separated CSV download (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(round, "csv")}"'
    return response


def _safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def results_xlsx(round: Round, rows: list[list]) -> HttpResponse:
    """The rows as an XLSX download."""
    from openpyxl import Workbook  # only the export needs openpyxl: not loaded at start-up

    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    sheet.append(HEADER)
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(round, "xlsx")}"'
    return response
