"""The matrix, deadlines and checklist downloads (issue 18) open in the libraries that read them —
openpyxl, csv, icalendar, python-docx — with the Vietnamese text intact."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from icalendar import Calendar
from openpyxl import load_workbook

from assistant.index.assignments import Responsibilities
from assistant.index.library import Library
from assistant.present.responsibility_files import (
    CHECKLIST_COLUMNS, MATRIX_COLUMNS, checklist_docx, deadlines_csv, deadlines_ics, document_names, matrix_csv,
    matrix_json, matrix_markdown, matrix_xlsx, write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
PLANS = ["sonla-2023-thang-hanh-dong.txt", "tuyenquang-2023-thang-hanh-dong.md", "sonla-vp-ubnd-2024-ke-hoach.txt"]


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.from_files([ROOT / "corpus" / name for name in PLANS])


@pytest.fixture(scope="module")
def matrix(library: Library) -> Responsibilities:
    return library.responsibilities


def test_xlsx_opens_with_every_task(library: Library, matrix: Responsibilities, tmp_path: Path) -> None:
    path = matrix_xlsx(matrix, document_names(library.documents), tmp_path / "ma-tran.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Ma trận", "Thời hạn"]
    rows = list(book["Ma trận"].iter_rows(values_only=True))
    assert rows[0] == MATRIX_COLUMNS
    assert len(rows) - 1 == sum(len(a.tasks) for a in matrix.assignments)
    health = [r for r in rows if r[0] == "Sở Y tế"]
    assert health and any("Methadone" in r[5] for r in health)
    assert any("Tuyên Quang" in r[3] or "tuyenquang" in r[3] for r in health)
    dates = [r[5] for r in book["Thời hạn"].iter_rows(min_row=2, values_only=True)]
    assert "2023-07-04" in dates


def test_csv_has_a_bom_and_reads_back(library: Library, matrix: Responsibilities, tmp_path: Path) -> None:
    path = write_csv(matrix_csv(matrix, document_names(library.documents)), tmp_path / "ma-tran.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == MATRIX_COLUMNS
    assert any(r[0] == "Sở Nông nghiệp và Phát triển nông thôn" and r[1] == "chủ trì" for r in rows)
    deadlines = list(csv.reader(io.StringIO(deadlines_csv(matrix.deadlines, {}))))
    assert any(r[4] == "trước ngày 04/7/2023" and r[5] == "2023-07-04" for r in deadlines)


def test_ics_imports_with_dates_and_recurrence(library: Library, matrix: Responsibilities, tmp_path: Path) -> None:
    path = deadlines_ics(matrix.deadlines, document_names(library.documents), tmp_path / "han.ics")
    calendar = Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == sum(1 for d in matrix.deadlines if d.date or d.start)
    starts = {e.decoded("dtstart") for e in events}
    assert date(2023, 7, 4) in starts and date(2023, 6, 1) in starts
    month = next(e for e in events if e.decoded("dtstart") == date(2023, 6, 1))
    assert month.decoded("dtend") == date(2023, 7, 1)  # all-day, end exclusive: the whole of June
    assert any("Công an tỉnh" in str(e.get("description")) or "Sở" in str(e.get("summary")) for e in events)


def test_checklist_docx_for_one_body(library: Library, matrix: Responsibilities, tmp_path: Path) -> None:
    path = checklist_docx(matrix, "so y te", document_names(library.documents), tmp_path / "so-y-te.docx")
    document = Document(str(path))
    assert document.paragraphs[0].text == "Danh mục nhiệm vụ của Sở Y tế"
    table = document.tables[0]
    assert tuple(c.text for c in table.rows[0].cells) == CHECKLIST_COLUMNS
    tasks = [a for a in matrix.of_agency("Sở Y tế") for _ in a.tasks]
    assert len(table.rows) - 1 == len(tasks) >= 6
    assert all(row.cells[-1].text == "" for row in table.rows[1:])
    assert any("xác định tình trạng nghiện" in row.cells[1].text for row in table.rows[1:])


def test_json_and_markdown_shapes(matrix: Responsibilities) -> None:
    data = matrix_json(matrix)
    first = data["assignments"][0]
    assert set(first) == {"document", "section", "agency", "role", "partners", "tasks"}
    assert set(first["tasks"][0]) == {"text", "section", "deadline"}
    text = matrix_markdown(matrix, {})
    assert "## Sở Y tế" in text and "- " in text
