"""Normative texts (Luật, Pháp lệnh, Nghị định, Thông tư, and Quyết định with articles), as Luật Ban
hành văn bản quy phạm pháp luật lays them out: Phần / Chương / Mục / Tiểu mục / Điều / khoản "1." /
điểm "a)".

Users cite "khoản 2 Điều 30", so every clause sits under its article and every point under its
clause. An article that fits is one chunk; a long one is cut at its clauses, each piece opening
with the article's heading line. An article whose clauses each assign duties to a different body
("1. Bộ Công an có trách nhiệm …", "2. Bộ Y tế: …") gives one chunk per clause, like a plan's
responsibility blocks.
"""

from __future__ import annotations

import re

from assistant.documents.agencies import duty_agency, is_agency_name, responsible_agencies, split_agencies
from assistant.documents.sections import Chunk, Section, heading_text, pieces
from assistant.text import fold, tone_optional

MAX_ARTICLE_CHARS = 2400
PIECE_CHARS = 1600

# The unit words with or without their tone mark: an OCR that lost it ("Điêu 5.") still numbers the unit.
_PART = re.compile(rf"^{tone_optional('Phần')}\s+(?P<num>{tone_optional('thứ')}\s+\w+|[IVXLC]+)\b\.?\s*[:\-–.]?\s*(?P<rest>.*)$", re.I)
_CHAPTER = re.compile(r"^Chương\s+(?P<num>[IVXLC]+|\d+)\b\.?\s*[:\-–.]?\s*(?P<rest>.*)$")
_SECTION = re.compile(rf"^{tone_optional('Mục')}\s+(?P<num>\d+)\b\.?\s*[:\-–.]?\s*(?P<rest>.*)$")
_SUBSECTION = re.compile(rf"^{tone_optional('Tiểu mục')}\s+(?P<num>\d+)\b\.?\s*[:\-–.]?\s*(?P<rest>.*)$")
ARTICLE = re.compile(rf"^{tone_optional('Điều')}\s+(?P<num>\d{{1,3}}[a-zđ]?)\s*[\.:]\s*(?P<rest>.*)$")
_CLAUSE = re.compile(r"^(?P<num>\d{1,3})\.\s+(?P<rest>\S.*)$")
_POINT = re.compile(r"^(?P<num>[a-zđ])\)\s+(?P<rest>\S.*)$")
_DUTIES_CHAPTER = re.compile(r"\b(?:trach nhiem|nhiem vu|to chuc thuc hien)\b")  # a chapter of who does what

# "Phần thứ nhất" … "Phần thứ mười": the ordinal as the law writes it, whatever marks an OCR kept.
_ORDINALS = {fold(w): w for w in ("thứ", "nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")}


def _heads(rest: str) -> bool:
    """ "Chương V", "Chương V. QUY ĐỊNH CHUNG", "Mục 2 - CAI NGHIỆN TỰ NGUYỆN": a heading; "Chương V Nghị
    định này;" is a sentence a PDF wrapped before the unit it cites."""
    rest = rest.strip()
    return not rest or rest[:1] in ".:-–" or rest.isupper()


def _ordinal(number: str) -> str:
    return " ".join(_ORDINALS.get(fold(word), word) for word in number.split())


LEVELS = {"part": 1, "chapter": 2, "section": 3, "subsection": 4, "article": 5, "clause": 6, "point": 7}
_UNIT_NAMES = {"part": "Phần", "chapter": "Chương", "section": "Mục", "subsection": "Tiểu mục"}


class NormativeGrammar:
    layout = "normative"

    def fits(self, lines: list[str]) -> bool:
        """At least two article headings in ascending order."""
        numbers = [int(re.match(r"\d+", m.group("num")).group(0)) for line in lines if (m := ARTICLE.match(line))]  # type: ignore[union-attr]
        return len(numbers) >= 2 and sum(b > a for a, b in zip(numbers, numbers[1:])) >= len(numbers) // 2

    @staticmethod
    def _named_body(title: str, stack: list[Section]) -> list[str]:
        """ "Chương V. TRÁCH NHIỆM CỦA CƠ QUAN" › "Điều 53. Bộ Y tế": in a chapter of duties an
        article named by a body alone is that body's duties."""
        # any enclosing unit: "Chương V. TRÁCH NHIỆM …" › "Mục 1. CÁC BỘ" › "Điều 30. Bộ Công an"
        duties = any(s.kind in ("chapter", "section", "part") and _DUTIES_CHAPTER.search(fold(s.title)) for s in stack)
        if not duties or not is_agency_name(title.strip().rstrip(".:")):
            return []
        return split_agencies(title.strip().rstrip(".:"))

    def heading(self, line: str, emphasis: str | None, stack: list[Section], part: str) -> Section | None:
        for kind, pattern in (("part", _PART), ("chapter", _CHAPTER), ("section", _SECTION), ("subsection", _SUBSECTION)):
            if (match := pattern.match(line)) and _heads(match.group("rest")):
                num, rest = _ordinal(match.group("num")), match.group("rest").strip()
                label = f"{_UNIT_NAMES[kind]} {num}"
                return self._open(kind, num, rest, label, label, stack, part)
        if match := ARTICLE.match(line):
            num = match.group("num")
            section = self._open("article", num, match.group("rest").strip(), f"Điều {num}", f"Điều {num}", stack, part)
            section.agencies = responsible_agencies(section.title) or self._named_body(section.title, stack)
            return section
        article = next((s for s in reversed(stack) if s.kind == "article"), None)
        if article is None:
            return None
        if match := _CLAUSE.match(line):
            num = match.group("num")
            section = self._open("clause", num, "", f"{article.label}, khoản {num}", f"{num}.", stack, part)
            agency = duty_agency(match.group("rest"))
            section.agencies = [agency] if agency else []
            return section
        if (match := _POINT.match(line)) and any(s.kind == "clause" for s in stack):
            num = match.group("num")
            clause = next(s for s in reversed(stack) if s.kind == "clause")
            return self._open("point", num, "", f"{clause.label}, điểm {num}", f"{num})", stack, part)
        return None

    def _open(self, kind: str, num: str, title: str, label: str, shown: str, stack: list[Section], part: str) -> Section:
        level = LEVELS[kind]
        parents = [s for s in stack if 0 < s.level < level]
        path = ([part] if part else []) + [p for s in parents for p in s.path[-1:]]
        if kind in ("clause", "point"):  # a clause is placed by its article; its text is its own
            return Section(kind, num, title, label, level, path, part, self.layout)
        return Section(kind, num, title, label, level, path + [heading_text(shown, title)], part, self.layout)

    def chunks(self, section: Section) -> list[Chunk]:
        if section.kind == "article":
            return self._article(section)
        out: list[Chunk] = []
        if len(section.lines) > 1 or (section.lines and not section.children):
            out.extend(Chunk(section, "\n".join(group), section.label) for group in pieces(section.lines, PIECE_CHARS))
        for child in section.children:
            out.extend(self.chunks(child))
        return out

    def _article(self, article: Section) -> list[Chunk]:
        head, clauses = article.lines, [c for c in article.children if c.kind == "clause"]
        others = [c for c in article.children if c.kind != "clause"]
        whole = "\n".join(article.all_lines())
        assigning = [c for c in clauses if c.agencies]
        if len(assigning) >= 2:  # one duty block per body, each under the article's heading
            out = [Chunk(article, "\n".join(head[:1] + c.all_lines()), _clause_place(article, [c]), list(c.agencies)) for c in clauses]
            if len(head) > 1:
                out.insert(0, Chunk(article, "\n".join(head), article.label, list(article.agencies)))
            return out
        if len(whole) <= MAX_ARTICLE_CHARS or not clauses:
            if len(whole) <= MAX_ARTICLE_CHARS:
                # "Điều 2. Trách nhiệm thực hiện … 2. Bộ Nông nghiệp … có trách nhiệm": one body's clause
                # in a short article still makes the article that body's duty.
                agencies = list(article.agencies) or [a for c in assigning for a in c.agencies]
                return [Chunk(article, whole, article.label, agencies)]
            groups = pieces(article.all_lines(), PIECE_CHARS)
            return [Chunk(article, "\n".join(g if i == 0 else head[:1] + g), article.label, list(article.agencies)) for i, g in enumerate(groups)]
        out = []
        if len("\n".join(head)) > 0 and len(head) > 1:
            out.append(Chunk(article, "\n".join(head), article.label, list(article.agencies)))
        group: list[Section] = []
        size = 0
        for clause in clauses + others:
            text = "\n".join(clause.all_lines())
            if group and size + len(text) > PIECE_CHARS:
                out.extend(self._clause_group(article, group))
                group, size = [], 0
            group.append(clause)
            size += len(text)
        if group:
            out.extend(self._clause_group(article, group))
        return out

    def _clause_group(self, article: Section, group: list[Section]) -> list[Chunk]:
        lines = [line for clause in group for line in clause.all_lines()]
        place = _clause_place(article, group)
        agencies = list(article.agencies) or [a for c in group for a in c.agencies]
        if len("\n".join(lines)) <= MAX_ARTICLE_CHARS:
            return [Chunk(article, "\n".join(article.lines[:1] + lines), place, agencies)]
        return [Chunk(article, "\n".join(article.lines[:1] + piece), place, agencies) for piece in pieces(lines, PIECE_CHARS)]


def _clause_place(article: Section, clauses: list[Section]) -> str:
    numbers = [c.number for c in clauses if c.kind == "clause"]
    if not numbers:
        return article.label
    if len(numbers) == 1:
        return f"{article.label}, khoản {numbers[0]}"
    return f"{article.label}, khoản {numbers[0]}–{numbers[-1]}"
