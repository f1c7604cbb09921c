"""Appendices (Phụ lục): forms ("Mẫu số 05"), tables and lists (Danh mục I, IA…) attached to a document.

A form copies the shape of other documents — its own "QUYẾT ĐỊNH", "Điều 3. Quyết định này có
hiệu lực…" — so nothing inside an appendix is read as the document's own articles. Appendices are
cut into pieces between lines, each labelled by the appendix and the form or list it belongs to
("Phụ lục II, Mẫu số 05").
"""

from __future__ import annotations

import re
from itertools import islice

from assistant.documents.sections import Chunk, Section, heading_text, pieces
from assistant.text import UPPER, fold, tone_optional

PIECE_CHARS = 1400

# Labels with or without their tone marks (an OCR loses some: "Mâu số 05"); the label is named as written in full.
_FORM = re.compile(
    "^(?P<kind>" + "|".join(tone_optional(w) for w in ("Mẫu số", "Mẫu", "Biểu số", "Biểu mẫu số", "Phụ lục số"))
    + r")\s+(?P<num>\d{1,3}[a-zđ]?)\b[\.:]?\s*(?P<rest>.*)$"
)
_LIST = re.compile(rf"^(?P<kind>{tone_optional('DANH MỤC')}|{tone_optional('Danh mục')})\s+(?P<num>[IVXLC]+[A-Z]?|\d+)\s*[\.:]?\s*(?P<rest>(?:[{{UPPER}}\s,;\-–()]*)?)$".replace("{UPPER}", UPPER))
_LABELS = {fold(w): w for w in ("Mẫu số", "Mẫu", "Biểu số", "Biểu mẫu số", "Phụ lục số", "Danh mục")}
_SUBLIST = re.compile(r"^(?P<num>[IVXLC]+[A-D])\s*[\.\-–]\s+(?P<rest>\S.*)$")
# An entry of a coded list ("503. Số người nghiện ma túy được cai nghiện", then "1. Khái niệm, nội
# dung, phương pháp tính", "2. Phân tổ chủ yếu" …): every ministry's statistical indicators, coded
# procedures and job positions are written so. A code of three or four digits opens an entry when
# the lines after it number its own fields from 1 — a commune list's "101. Xã …" does not.
_ENTRY = re.compile(rf"^(?P<num>\d{{3,4}})\.\s+(?P<rest>[{UPPER}].{{2,150}})$")
_FIRST_FIELD = re.compile(r"^1\.\s+\S")
ENTRY_LOOKAHEAD = 3  # lines after an entry's title where its first field may start (a title wraps, a page header cuts in)


def coded_entries(lines: list[str]) -> frozenset[str]:
    """The lines of `lines` that open a coded entry (see `_ENTRY`)."""
    stripped = [line.strip() for line in lines]
    found = set()
    for index, line in enumerate(stripped):
        if _ENTRY.match(line):
            after = islice((stripped[j] for j in range(index + 1, len(stripped)) if stripped[j]), ENTRY_LOOKAHEAD)
            if any(_FIRST_FIELD.match(nxt) for nxt in after):
                found.add(line)
    return frozenset(found)


class AppendixGrammar:
    layout = "appendix"

    def __init__(self, lines: list[str] | None = None) -> None:
        self._entries = coded_entries(lines) if lines else frozenset()

    def reading(self, lines: list[str]) -> "AppendixGrammar":
        """This grammar for one appendix: which of its lines open a coded entry needs the lines after."""
        return AppendixGrammar(lines)

    def fits(self, lines: list[str]) -> bool:
        return False  # chosen by the part splitter, never by fit

    def heading(self, line: str, emphasis: str | None, stack: list[Section], part: str) -> Section | None:
        if (match := _FORM.match(line)) or (match := _LIST.match(line)):
            name = f"{_LABELS.get(fold(match.group('kind')), match.group('kind'))} {match.group('num')}"
            return self._open("form", match.group("num"), match.group("rest").strip(), name, 2, stack, part)
        if match := _SUBLIST.match(line):
            return self._open("list", match.group("num"), match.group("rest").strip(), match.group("num"), 3, stack, part)
        if line.strip() in self._entries and (match := _ENTRY.match(line.strip())):
            return self._open("entry", match.group("num"), match.group("rest").strip(), match.group("num"), 2, stack, part)
        return None

    def _open(self, kind: str, num: str, title: str, name: str, level: int, stack: list[Section], part: str) -> Section:
        parents = [s for s in stack if 0 < s.level < level]
        path = [p for s in parents for p in s.path[-1:]] or [part]
        label = ", ".join([part, *[s.label.split(", ")[-1] for s in parents if s.kind != "appendix"], name])
        shown = heading_text(name, title) if title else name
        return Section(kind, num, title, label, level, path + [shown], part, self.layout)

    def chunks(self, section: Section) -> list[Chunk]:
        out: list[Chunk] = []
        if section.lines:
            out.extend(Chunk(section, "\n".join(group), section.label) for group in pieces(section.lines, PIECE_CHARS))
        for child in section.children:
            out.extend(self.chunks(child))
        return out
