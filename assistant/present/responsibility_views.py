"""What the "Ai làm gì" tab shows, as plain data: the matrix of bodies × documents, one cell's tasks
with their citations, and the coming deadlines seen from a given day. Kept apart from gradio so it
is tested without a server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.documents.naming import document_name, section_name
from assistant.index.assignments import Assignment, Responsibilities, UPCOMING_DAYS
from assistant.present.views import escape_markdown
from assistant.text import fold

MAX_COLUMNS = 40  # documents shown side by side; more are reached through the filters
MARKS = {"quá hạn": "⚠ Quá hạn", "sắp đến hạn": "⏰ Trong 30 ngày tới", "còn hạn": "Còn hạn", "định kỳ": "Định kỳ"}
UPCOMING_COLUMNS = ["Trạng thái", "Hạn", "Thời hạn (nguyên văn)", "Cơ quan", "Việc", "Văn bản", "Mục"]


@dataclass
class MatrixFilters:
    agency: str | None = None  # a body's identity
    document: str | None = None  # a source
    province: str | None = None
    year: int | None = None


@dataclass
class MatrixView:
    """The table and what each row and column stands for (to open a cell)."""

    headers: list[str]
    rows: list[list[str]]
    identities: list[str] = field(default_factory=list)  # row → body identity
    sources: list[str] = field(default_factory=list)  # column (after the first) → document
    hidden_documents: int = 0


def _documents_in_order(library: Any, sources: set[str]) -> list[str]:
    """In-force documents first, then the most recent, then by title."""
    entries = library.documents
    return sorted(sources, key=lambda s: (not library.in_force(s), -(entries[s].year or 0), fold(entries[s].title)))


def _short(entry: Any) -> str:
    name = entry.name if len(entry.name) <= 60 else entry.name[:59].rsplit(" ", 1)[0] + " …"
    return f"{name} — {entry.province}" if entry.province else name


def filtered(library: Any, filters: MatrixFilters) -> Responsibilities:
    matrix = library.responsibilities
    entries = library.documents

    def keeps(source: str, identity: str | None) -> bool:
        entry = entries.get(source)
        return (entry is not None and (filters.agency is None or identity == filters.agency)
                and (filters.document is None or source == filters.document)
                and (filters.province is None or entry.province == filters.province)
                and (filters.year is None or entry.year == filters.year))

    return Responsibilities([a for a in matrix.assignments if keeps(a.document, a.identity)],
                            [d for d in matrix.deadlines if keeps(d.document, d.identity if filters.agency else None)])


def body_choices(matrix: Responsibilities) -> list[tuple[str, str]]:
    """(name as most documents write it, identity), the bodies with the most documents first."""
    spellings: dict[str, Counter[str]] = {}
    documents: dict[str, set[str]] = {}
    for a in matrix.assignments:
        spellings.setdefault(a.identity, Counter())[a.agency] += 1
        documents.setdefault(a.identity, set()).add(a.document)
    return sorted(((c.most_common(1)[0][0], identity) for identity, c in spellings.items()),
                  key=lambda pair: (-len(documents[pair[1]]), fold(pair[0])))


def matrix_view(library: Any, filters: MatrixFilters) -> MatrixView:
    matrix = filtered(library, filters)
    sources = _documents_in_order(library, {a.document for a in matrix.assignments})
    shown, hidden = sources[:MAX_COLUMNS], max(0, len(sources) - MAX_COLUMNS)
    cells: dict[tuple[str, str], list[Assignment]] = {}
    for a in matrix.assignments:
        cells.setdefault((a.identity, a.document), []).append(a)
    bodies = body_choices(matrix)
    headers = ["Cơ quan"] + [_short(library.documents[s]) for s in shown]
    seen: Counter[str] = Counter()
    for i, header in enumerate(headers):  # two plans with one name: both columns stay apart
        seen[header] += 1
        if seen[header] > 1:
            headers[i] = f"{header} ({seen[header]})"
    rows = []
    for name, identity in bodies:
        row = [name]
        for source in shown:
            own = cells.get((identity, source), [])
            roles = sorted({a.role for a in own}, key=["chủ trì", "phối hợp", "thực hiện"].index)
            tasks = sum(len(a.tasks) for a in own)
            row.append(f"{', '.join(roles)} · {tasks} việc" if own else "")
        rows.append(row)
    return MatrixView(headers, rows, [identity for _, identity in bodies], shown, hidden)


def cell_markdown(library: Any, identity: str, source: str | None) -> str:
    """A body's tasks in one document (or in every document when `source` is None), each with its
    citation: document, section, the task verbatim, its deadline."""
    rows = [a for a in library.responsibilities.assignments if a.identity == identity and (source is None or a.document == source)]
    if not rows:
        return "Văn bản này không giao việc cho cơ quan đó."
    lines = [f"### {escape_markdown(rows[0].agency)}"]
    for a in sorted(rows, key=lambda a: (_documents_in_order(library, {r.document for r in rows}).index(a.document), a.order)):
        entry = library.documents.get(a.document)
        title = document_name(entry.title, entry.province, entry.number) if entry else a.document
        partners = f"; phối hợp với: {escape_markdown(', '.join(a.partners))}" if a.partners else ""
        lines.append(f"\n**{escape_markdown(title)}**, {escape_markdown(section_name(a.section))} — vai trò: **{a.role}**{partners}\n")
        for task in a.tasks:
            due = f" _(hạn: {escape_markdown(task.deadline)})_" if task.deadline else ""
            lines.append(f"- “{escape_markdown(task.text)}”{due}")
    return "\n".join(lines)


def upcoming_rows(library: Any, matrix: Responsibilities, today: date, days: int = UPCOMING_DAYS) -> list[list[str]]:
    """The deadlines sorted from `today`: those due within `days` first, then the overdue, then the
    later ones, then the recurring ones with no day; each marked."""
    rows = []
    for deadline, due, state in matrix.upcoming(today, days):
        entry = library.documents.get(deadline.document)
        rows.append([MARKS[state], due.strftime("%d/%m/%Y") if due else "", deadline.when_text, deadline.agency or "",
                     deadline.what, _short(entry) if entry else deadline.document, section_name(deadline.section)])
    return rows
