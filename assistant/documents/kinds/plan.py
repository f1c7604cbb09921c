"""Plans, programmes, công văn and reports: parts "III. PHÂN CÔNG TRÁCH NHIỆM", items "4. Sở Y tế",
"2.2. Mục tiêu cụ thể", points "a)" and "-" bullets.

Staff cite them as "Mục III.4", and an agency's tasks are exactly one numbered block, so an agency
block is one chunk (never split from its heading, never shared by two agencies); other long
sections split between lines, each piece keeping its heading path.
"""

from __future__ import annotations

import re

from assistant.documents.agencies import agency_title, is_agency_name, split_agencies
from assistant.documents.sections import Chunk, Section, heading_text, pieces
from assistant.text import UPPER

MAX_SECTION_CHARS = 1800
PIECE_CHARS = 1400

_ROMAN = re.compile(r"^(?P<num>[IVXLC]+)\s*[\.\-–]\s*(?P<rest>.+)$")
_NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)(?:\.(?!\d)\s*|\)\s+|(?<=\d\.\d)\s+(?=[" + UPPER + r"])|(?<=\d\.\d\d)\s+(?=[" + UPPER + r"]))(?P<rest>\S.*)$"
)
_LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s+(?P<rest>.+)$")


class PlanGrammar:
    layout = "plan"

    def fits(self, lines: list[str]) -> bool:
        return True

    def heading(self, line: str, emphasis: str | None, stack: list[Section], part: str) -> Section | None:
        parent_roman = next((s.label for s in reversed(stack) if s.level == 1), "")
        if match := _ROMAN.match(line):
            rest = match.group("rest").strip()
            if rest.isupper() or len(rest) < 80:
                num = match.group("num")
                path = [p for p in (part, heading_text(num, rest)) if p]
                return Section("roman", num, rest.rstrip(":"), num, 1, path, part, self.layout)
            return None
        if match := _NUMBERED.match(line):
            num = match.group("num")
            depth = num.count(".") + 1
            if emphasis:
                emphasis = re.sub(r"^" + re.escape(num) + r"\.?\s*", "", emphasis)
            title = agency_title(match.group("rest"), emphasis or None)
            label = f"{parent_roman}.{num}" if parent_roman else num
            return self._child("item", label, num, title, 1 + depth, stack, part)
        if match := _LETTER.match(line):
            if not stack or stack[-1].level < 2:
                return None
            parent = stack[-1] if stack[-1].level < 9 else stack[-2]
            num = match.group("num")
            title = agency_title(match.group("rest"), emphasis)
            return self._child("letter", f"{parent.label}.{num}", f"{num})", title, 9, stack, part)
        return None

    def _child(self, kind: str, label: str, num: str, title: str, level: int, stack: list[Section], part: str) -> Section:
        parents = [s for s in stack if 0 < s.level < level]
        path = ([part] if part else []) + [p for s in parents for p in s.path[-1:]]
        section = Section(kind, num.rstrip(")"), title, label, level, path + [heading_text(num, title)], part, self.layout)
        if title and is_agency_name(title):
            section.agencies = split_agencies(title)
        return section

    def chunks(self, section: Section) -> list[Chunk]:
        if section.agencies:
            return [Chunk(section, "\n".join(section.all_lines()), section.label, list(section.agencies))]
        out: list[Chunk] = []
        own = section.lines
        if own and (len(own) > 1 or not section.children):
            text = "\n".join(own)
            groups = [own] if len(text) <= MAX_SECTION_CHARS else pieces(own, PIECE_CHARS)
            out.extend(Chunk(section, "\n".join(group), section.label) for group in groups)
        for child in section.children:
            out.extend(self.chunks(child))
        return out
