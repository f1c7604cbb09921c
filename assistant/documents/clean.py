"""Page furniture out, words in: what a printed or scanned page adds around the document's text.

Công báo PDFs repeat "CÔNG BÁO/Số 37 + 38/Ngày 08-01-2022" and a page number on every page and
carry an e-signature stamp ("Người ký: … / Thời gian ký: …"); OCR output marks pages
("<!-- Trang 5 -->", "[Trang 5]") and may wrap text in code fences. Left in, they split sentences
and end up inside quotes. They are dropped before broken lines are rejoined, so a sentence that
runs across a page break becomes one line again. No word of the document itself is changed.
"""

from __future__ import annotations

import re
from collections import Counter

_GAZETTE_HEADER = re.compile(r"^\s*(?:\d{1,4}\s+)?CÔNG BÁO\s*/\s*Số\s+[\d\s+]+/\s*Ngày\s+[\d\-/\.]+\s*(?:\d{1,4})?\s*$")
_GAZETTE_SECTION = re.compile(r"^\s*VĂN BẢN QUY PHẠM PHÁP LUẬT\s*$")
_PAGE_MARKER = re.compile(r"^\s*(?:<!--\s*)?\[?\s*(?:Trang|Page)\s+\d{1,4}\s*\]?(?:\s*-->)?\s*$", re.I)
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
_CODE_FENCE = re.compile(r"^\s*```")
# OCR leaves stray marks before a clause number ("_2. Công dân…", "_ 1. Bộ trưởng…"): not words.
_OCR_LEAD = re.compile(r"^\s*[_~]+\s*(?=\d{1,3}\.\s|[a-zđ]\)\s|Căn cứ|Điều\s)")
_STAMP_LINE = re.compile(r"^\s*(?:Người ký|Email|Cơ quan|Thời gian ký)\s*:", re.I)


def drop_page_furniture(lines: list[str], page_numbers: bool = True) -> list[str]:
    """`lines` without running headers, page numbers and markers, e-signature stamps and code
    fences. `page_numbers=False` keeps lone numbers (text whose pages were not numbered inline)."""
    kept: list[str] = []
    stamp = _stamp_lines(lines) | _repeated_table_headers(lines)
    for index, line in enumerate(lines):
        if index in stamp:
            continue
        if _GAZETTE_HEADER.match(line) or _GAZETTE_SECTION.match(line) or _PAGE_MARKER.match(line) or _CODE_FENCE.match(line):
            continue
        if page_numbers and _PAGE_NUMBER.match(line):
            continue
        kept.append(_OCR_LEAD.sub("", line))
    return kept


_COLUMN_GAP = re.compile(r"\S\s{3,}\S")


def _repeated_table_headers(lines: list[str]) -> set[int]:
    """A table's column headings printed again on every page ("STT   Tên chất   Tên khoa học",
    "Mã thông   Mã số   Cơ quan"): lines laid out in columns, without a figure, seen before in the
    same text. The first one stays; the repeats are page furniture that would glue onto the row above."""
    layout = {i: " ".join(line.split()) for i, line in enumerate(lines) if _COLUMN_GAP.search(line) and not re.search(r"\d", line)}
    counts = Counter(layout.values())
    seen: set[str] = set()
    found: set[int] = set()
    for index, key in layout.items():
        if counts[key] >= 3 and key in seen:  # twice may be two rows' wrapped cells alike
            found.add(index)
        seen.add(key)
    return found


def _stamp_lines(lines: list[str]) -> set[int]:
    """An e-signature stamp is a run of at least three "Người ký: / Email: / Cơ quan: / Thời gian
    ký:" lines; one "Cơ quan:" line in a form is the document's own text."""
    found: set[int] = set()
    run: list[int] = []
    for index, line in enumerate([*lines, ""]):
        if _STAMP_LINE.match(line):
            run.append(index)
            continue
        if not line.strip() and run:
            continue
        if len(run) >= 3:
            found.update(run)
        run = []
    return found
