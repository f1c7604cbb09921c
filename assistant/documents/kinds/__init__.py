"""Families of document structure, one module each; a document part is read with the one that fits it.

- `normative`: laws, ordinances, decrees, circulars, decisions with articles (Luật Ban hành văn bản
  quy phạm pháp luật: Phần / Chương / Mục / Điều / khoản "1." / điểm "a)");
- `plan`: plans, programmes, công văn, reports (I. / 1. / 1.1. / a) / -);
- `appendix`: Phụ lục — forms, tables, lists — whose "Điều 3." lines belong to a template, never
  to the document's own articles.

A new family is one new module with a `Grammar` and one line in `GRAMMARS`.
"""

from __future__ import annotations

from typing import Protocol

from assistant.documents.kinds.appendix import AppendixGrammar
from assistant.documents.kinds.normative import NormativeGrammar
from assistant.documents.kinds.plan import PlanGrammar
from assistant.documents.sections import Chunk, Section


class Grammar(Protocol):
    layout: str

    def fits(self, lines: list[str]) -> bool:
        """Does this part of a document follow this family's structure?"""

    def heading(self, line: str, emphasis: str | None, stack: list[Section], part: str) -> Section | None:
        """The section `line` opens, given the open sections above it; None for body text."""

    def chunks(self, section: Section) -> list[Chunk]:
        """The indexed units of a top-level section and everything under it."""


GRAMMARS: tuple[Grammar, ...] = (NormativeGrammar(), PlanGrammar())  # first that fits; plan fits anything
APPENDIX = AppendixGrammar()


def grammar_for(lines: list[str], appendix: bool = False) -> Grammar:
    if appendix:
        return APPENDIX.reading(lines)
    return next(g for g in GRAMMARS if g.fits(lines))


def grammar_named(layout: str) -> Grammar:
    """The grammar a section was read with, by its `layout`."""
    return next(g for g in (*GRAMMARS, APPENDIX) if g.layout == layout)
