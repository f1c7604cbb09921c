"""The web tab "Ai làm gì": bodies × documents as a table (filter by body, document, province,
year; in-force documents first), a cell opens the body's tasks there with their citations, "Hạn
sắp tới" lists the deadlines from today (overdue and the next 30 days marked), and the matrix,
calendar and one body's checklist download as XLSX, CSV, ICS and DOCX. Built from
`library.responsibilities`, read at each event so a new build shows at once."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.present import responsibility_files as files
from assistant.present.responsibility_views import (
    UPCOMING_COLUMNS, MatrixFilters, body_choices, cell_markdown, filtered, matrix_view, upcoming_rows,
)

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
INTRO = ("Cơ quan nào được giao việc gì, ở văn bản nào, và hạn khi nào — đọc từ các khối phân công "
         "của kế hoạch, các điều “Trách nhiệm của …” của luật, nghị định. Chọn một ô để xem nhiệm vụ "
         "nguyên văn kèm nguồn.")
UPCOMING_WIDTHS = ["130px", "100px", "190px", "190px", "420px", "220px", "140px"]


def _folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "tro-ly-ai-lam-gi" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _filters(agency: str | None, document: str | None, province: str | None, year: str | None) -> MatrixFilters:
    return MatrixFilters(agency or None, document or None, province or None, int(year) if year and str(year).isdigit() else None)


def responsibility_tab(assistant: Any, today: Callable[[], date] = date.today) -> None:
    """The tab, inside the page's `gr.Tabs` (app.build_app)."""
    with gr.Tab("Ai làm gì", id="responsibilities") as tab:
        gr.Markdown(INTRO)
        with gr.Row():
            agency = gr.Dropdown(label="Cơ quan", choices=[], value=None, elem_id="matrix-agency")
            document = gr.Dropdown(label="Văn bản", choices=[], value=None, elem_id="matrix-document")
            province = gr.Dropdown(label="Tỉnh", choices=[], value=None, elem_id="matrix-province")
            year = gr.Dropdown(label="Năm", choices=[], value=None, elem_id="matrix-year")
        note = gr.Markdown(elem_id="matrix-note")
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="matrix-table", label="Cơ quan × văn bản", show_label=False)
        detail = gr.Markdown("Chọn một ô của bảng để xem nhiệm vụ.", elem_id="matrix-detail")
        gr.Markdown("### Hạn sắp tới")
        upcoming = gr.Dataframe(headers=UPCOMING_COLUMNS, interactive=False, wrap=True, elem_id="deadlines-table", label="Thời hạn", show_label=False)
        with gr.Row():
            xlsx = gr.DownloadButton("Tải ma trận (XLSX)", elem_id="download-xlsx")
            csv = gr.DownloadButton("Tải ma trận (CSV)", elem_id="download-csv")
            ics = gr.DownloadButton("Tải lịch thời hạn (ICS)", elem_id="download-ics")
            docx = gr.DownloadButton("Tải danh mục nhiệm vụ (DOCX)", interactive=False, elem_id="download-docx")
        identities = gr.State([])
        sources = gr.State([])

    def choices() -> tuple[Any, ...]:
        library = assistant.library
        matrix = library.responsibilities
        used = {a.document for a in matrix.assignments}
        documents = [(d.label, s) for s, d in library.documents.items() if s in used]
        return (gr.update(choices=[("Tất cả", "")] + body_choices(matrix)), gr.update(choices=[("Tất cả", "")] + documents),
                gr.update(choices=[("Tất cả", "")] + [(p, p) for p in library.provinces]),
                gr.update(choices=[("Tất cả", "")] + [(str(y), str(y)) for y in library.years]))

    def show(agency_id: str | None, source: str | None, place: str | None, when: str | None) -> tuple[Any, ...]:
        library = assistant.library
        filters = _filters(agency_id, source, place, when)
        view = matrix_view(library, filters)
        matrix = filtered(library, filters)
        names = files.document_names(library.documents)
        folder = _folder()
        shown = f"{len(view.identities)} cơ quan × {len(view.sources)} văn bản."
        if view.hidden_documents:
            shown += f" Còn {view.hidden_documents} văn bản nữa: lọc theo tỉnh, năm hoặc văn bản để xem."
        if not view.identities:
            shown = "Không văn bản nào (theo bộ lọc) giao việc cho cơ quan nào."
        checklist = gr.update(value=None, interactive=False)
        if filters.agency:
            checklist = gr.update(value=str(files.checklist_docx(library.responsibilities, filters.agency, names, folder / "danh-muc-nhiem-vu.docx")), interactive=True)
        return (
            gr.update(value=view.rows, headers=view.headers, column_widths=["260px"] + ["180px"] * len(view.sources)), view.identities, view.sources, shown,
            gr.update(value=upcoming_rows(library, matrix, today()), column_widths=UPCOMING_WIDTHS),
            str(files.matrix_xlsx(matrix, names, folder / "ma-tran-trach-nhiem.xlsx")),
            str(files.write_csv(files.matrix_csv(matrix, names), folder / "ma-tran-trach-nhiem.csv")),
            str(files.deadlines_ics(matrix.deadlines, names, folder / "thoi-han.ics")),
            checklist,
        )

    def open_cell(rows: list[str], columns: list[str], event: gr.SelectData) -> tuple[str, Any]:
        row, column = event.index[0], event.index[1]
        if not 0 <= row < len(rows):
            return "Chọn một ô của bảng để xem nhiệm vụ.", gr.update()
        source = columns[column - 1] if 1 <= column <= len(columns) else None
        library = assistant.library
        path = files.checklist_docx(library.responsibilities, rows[row], files.document_names(library.documents), _folder() / "danh-muc-nhiem-vu.docx")
        return cell_markdown(library, rows[row], source), gr.update(value=str(path), interactive=True)

    filters_in = [agency, document, province, year]
    outputs = [table, identities, sources, note, upcoming, xlsx, csv, ics, docx]
    tab.select(choices, None, filters_in, **PRIVATE).then(show, filters_in, outputs, **PRIVATE)
    for control in filters_in:
        control.input(show, filters_in, outputs, **PRIVATE)
    table.select(open_cell, [identities, sources], [detail, docx], **PRIVATE)
