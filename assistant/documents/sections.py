"""What a document is made of once its structure is read: sections, and the chunks indexed from them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Section:
    """A heading and what it governs, as the document numbers it.

    `label` is how staff cite it ("Điều 30", "III.4", "Phụ lục II, Mẫu số 05"); `path` is the
    chain of headings from the document down to it; `part` the document or attachment it belongs
    to ("Nghị định", "Kế hoạch" attached to a Quyết định, "Phụ lục II"); `layout` the family of
    structure it was read with ("normative", "plan", "appendix").
    """

    kind: str  # preamble, chapter, section, article, clause, point, roman, item, letter, appendix, form, closing
    number: str
    title: str
    label: str
    level: int
    path: list[str]
    part: str
    layout: str
    lines: list[str] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    def all_lines(self) -> list[str]:
        out = list(self.lines)
        for child in self.children:
            out.extend(child.all_lines())
        return out

    def walk(self) -> list["Section"]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass
class Chunk:
    """One indexed unit: a whole article or block when it fits, else a piece cut at its clauses or
    lines. `place` says exactly which part of the section it holds ("Điều 30, khoản 2–4")."""

    section: Section
    text: str
    place: str
    agencies: list[str] = field(default_factory=list)


def heading_text(number: str, title: str) -> str:
    """ "2. Sở Y tế", "Điều 1. Phạm vi điều chỉnh", "a) Nội dung", "Chương I. NHỮNG QUY ĐỊNH CHUNG"."""
    if number.endswith(")"):
        return f"{number} {title}".strip()
    return f"{number}. {title}" if title else number


def pieces(lines: list[str], limit: int, first: int = 200) -> list[list[str]]:
    """Lines grouped into pieces of at most about `limit` characters, cut between lines only."""
    out: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if size > first and size + len(line) > limit:
            out.append([])
            size = 0
        out[-1].append(line)
        size += len(line) + 1
    return [piece for piece in out if piece]
