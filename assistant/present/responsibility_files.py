"""The responsibility matrix and the deadlines as files staff open elsewhere: the matrix as a
spreadsheet (XLSX) and CSV (UTF-8 with BOM, so Excel shows Vietnamese), JSON and Markdown; the
deadlines as JSON, CSV and an iCalendar file Outlook and Google Calendar import; and for one body
a DOCX checklist "Danh mục nhiệm vụ của <cơ quan>" with an empty column for the result — the
skeleton of its "báo cáo kết quả thực hiện". Written with openpyxl, csv, icalendar, python-docx.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Pt
from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from assistant.index.assignments import Deadline, Responsibilities
from assistant.text import fold

MATRIX_COLUMNS = ("Cơ quan", "Vai trò", "Phối hợp với", "Văn bản", "Mục", "Nhiệm vụ", "Thời hạn")
DEADLINE_COLUMNS = ("Văn bản", "Mục", "Cơ quan", "Việc", "Thời hạn (nguyên văn)", "Ngày", "Từ ngày", "Đến ngày", "Lặp lại")
CHECKLIST_COLUMNS = ("STT", "Nhiệm vụ", "Văn bản", "Mục", "Thời hạn", "Kết quả thực hiện")
# RFC 5545 rules for the recurrences documents write (documents.deadlines, data/assignment_words.tsv).
_RULES = {"hằng năm": {"freq": "yearly"}, "hằng quý": {"freq": "monthly", "interval": 3},
          "hằng tháng": {"freq": "monthly"}, "6 tháng": {"freq": "monthly", "interval": 6},
          "3 tháng": {"freq": "monthly", "interval": 3}}


def _name(names: Mapping[str, str], source: str) -> str:
    return names.get(source, source)


def matrix_rows(matrix: Responsibilities, names: Mapping[str, str]) -> list[list[str]]:
    """One row per task: body, role, partners, document, section, the task verbatim, its deadline."""
    return [[a.agency, a.role, "; ".join(a.partners), _name(names, a.document), task.section, task.text, task.deadline or ""]
            for a in matrix.assignments for task in a.tasks]


def deadline_rows(deadlines: list[Deadline], names: Mapping[str, str]) -> list[list[str]]:
    return [[_name(names, d.document), d.section, d.agency or "", d.what, d.when_text, d.date or "", d.start or "", d.end or "", d.recurrence or ""]
            for d in deadlines]


def matrix_json(matrix: Responsibilities) -> dict[str, Any]:
    return {"assignments": [a.public() for a in matrix.assignments]}


def deadlines_json(deadlines: list[Deadline]) -> dict[str, Any]:
    return {"deadlines": [d.public() for d in deadlines]}


def _csv(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def matrix_csv(matrix: Responsibilities, names: Mapping[str, str]) -> str:
    return _csv(MATRIX_COLUMNS, matrix_rows(matrix, names))


def deadlines_csv(deadlines: list[Deadline], names: Mapping[str, str]) -> str:
    return _csv(DEADLINE_COLUMNS, deadline_rows(deadlines, names))


def write_csv(text: str, path: Path) -> Path:
    """UTF-8 with a byte-order mark: without it Excel reads the file as ANSI and garbles the accents."""
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path


def matrix_markdown(matrix: Responsibilities, names: Mapping[str, str]) -> str:
    """Grouped by body, then document: the tasks as a list under each."""
    lines: list[str] = []
    by_body: dict[str, list[Any]] = {}
    for assignment in matrix.assignments:
        by_body.setdefault(assignment.identity, []).append(assignment)
    for rows in sorted(by_body.values(), key=lambda r: fold(r[0].agency)):
        lines.append(f"## {rows[0].agency}")
        for a in rows:
            partners = f"; phối hợp với {', '.join(a.partners)}" if a.partners else ""
            lines.append(f"\n**{_name(names, a.document)}**, {a.section} — {a.role}{partners}\n")
            lines += [f"- {t.text}" + (f" _(hạn: {t.deadline})_" if t.deadline else "") for t in a.tasks]
        lines.append("")
    return "\n".join(lines)


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[list[str]], widths: tuple[int, ...], first: bool = False) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def matrix_xlsx(matrix: Responsibilities, names: Mapping[str, str], path: Path) -> Path:
    """Two sheets: "Ma trận" (one row per task, filterable) and "Thời hạn" (the deadlines)."""
    workbook = Workbook()
    _sheet(workbook, "Ma trận", MATRIX_COLUMNS, matrix_rows(matrix, names), (30, 12, 30, 40, 14, 80, 20), first=True)
    _sheet(workbook, "Thời hạn", DEADLINE_COLUMNS, deadline_rows(matrix.deadlines, names), (40, 14, 30, 60, 24, 12, 12, 12, 12))
    workbook.save(path)
    return path


def deadlines_ics(deadlines: list[Deadline], names: Mapping[str, str], path: Path) -> Path:
    """One all-day event per deadline that names a day or a period; recurring ones repeat (RRULE).
    A deadline that names no day ("định kỳ 6 tháng") cannot be placed on a calendar: left out."""
    calendar = Calendar()
    calendar.add("prodid", "-//Tro ly chinh sach//Ai lam gi, han khi nao//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Thời hạn phòng, chống ma túy")
    for index, deadline in enumerate(deadlines):
        first = deadline.date or deadline.start
        if not first:
            continue
        last = deadline.date or deadline.end or first
        event = Event()
        who = f"{deadline.agency}: " if deadline.agency else ""
        event.add("summary", f"{who}{_clip(deadline.what, 120)}")
        event.add("dtstart", date.fromisoformat(first))
        event.add("dtend", date.fromisoformat(last) + timedelta(days=1))
        event.add("description", f"{deadline.what}\n\nThời hạn: {deadline.when_text}\nNguồn: {_name(names, deadline.document)}, {deadline.section}")
        event.add("uid", f"{re.sub(r'[^A-Za-z0-9]+', '-', deadline.document)}-{deadline.order}-{index}@tro-ly-chinh-sach")
        event.add("dtstamp", date.fromisoformat(first))
        if deadline.recurrence in _RULES:
            event.add("rrule", _RULES[deadline.recurrence])
        calendar.add_component(event)
    path.write_bytes(calendar.to_ical())
    return path


def checklist_docx(matrix: Responsibilities, agency: str, names: Mapping[str, str], path: Path) -> Path:
    """ "Danh mục nhiệm vụ của Sở Y tế": every task of the body with document, section and
    deadline, and an empty "Kết quả thực hiện" column to fill in for the report."""
    rows = matrix.of_agency(agency)
    shown = rows[0].agency if rows else agency
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_heading(f"Danh mục nhiệm vụ của {shown}", level=1)
    document.add_paragraph(f"{len(rows)} mục giao việc, {sum(len(a.tasks) for a in rows)} nhiệm vụ, từ {len({a.document for a in rows})} văn bản.")
    table = document.add_table(rows=1, cols=len(CHECKLIST_COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, CHECKLIST_COLUMNS):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.bold = True
    number = 0
    for assignment in rows:
        for task in assignment.tasks:
            number += 1
            role = f" ({assignment.role})" if assignment.role != "thực hiện" else ""
            values = (str(number), task.text + role, _name(names, assignment.document), task.section, task.deadline or "", "")
            for cell, value in zip(table.add_row().cells, values):
                cell.text = value
    document.save(str(path))
    return path


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def document_names(documents: Mapping[str, Any]) -> dict[str, str]:
    """source → how staff name the document ("Kế hoạch … (số …) — Sơn La"), for every file."""
    from assistant.documents.naming import document_name

    return {source: document_name(d.title, d.province, d.number) for source, d in documents.items()}
