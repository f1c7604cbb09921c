"""The answerer for every question no other one takes: the passages of the top retrieved sections
that answer it, cited, focused on the article or block they belong to — not whole chapters."""

from __future__ import annotations

import re
from collections.abc import Sequence

from llama_index.core.schema import NodeWithScore

from assistant.answering.builder import AnswerBuilder
from assistant.answering.passages import LIST_CHARS, Passage, PassageFinder, clause_blocks, lead_of, row_heading, with_list
from assistant.index.library import Library
from assistant.answering.refusal import Refusal
from assistant.query.understand import DEADLINE, DURATION, METADATA, MONEY, NUMBER, Question

TYPED = {DEADLINE, DURATION, MONEY, NUMBER}

READ_HITS = 8  # retrieved sections whose passages are read
MAX_PASSAGES = 5
MAX_SECTIONS = 3  # an answer quotes at most this many sections: focused, not a chapter
BUDGET_CHARS = 1600  # quoted text in one answer, lists excepted
RELATIVE_FLOOR = 0.7  # a passage must cover at least this share of what the best one covers
ABSOLUTE_FLOOR = 0.25
TYPED_FLOOR = 0.35  # the same, for a time or figure question whose answerer found none in any form

ARTICLE_HEADING = re.compile(r"^Điều\s+\d+[a-zđ]?\s*[\.:]")


def cite_passages(builder: AnswerBuilder, finder: PassageFinder, chosen: Sequence[Passage], leads: bool = True) -> None:
    """Statements in document order, each under its section's name, the document with the best
    passage first; a passage that opens a list ("… gồm:") is quoted with the list, an item of a list
    after the clause that opens it (unless `leads` is off: a time or an amount is quoted where it is
    stated)."""
    first: dict[str, int] = {}
    for rank, passage in enumerate(chosen):
        first.setdefault(passage.source, rank)
    for passage in sorted(chosen, key=lambda p: (first[p.source], finder.document_order(p.node))):
        lead = lead_of(passage.node, passage.text) if leads else ""
        if lead:  # "a) Tiếp nhận đăng ký …" says what; the clause it belongs to says who or when
            builder.statement(passage.node, lead)
        builder.statement(passage.node, with_list(passage.node, passage.text), row_heading(passage.node, passage.text, finder.library.annex_names))


def choose(candidates: Sequence[Passage], floor: float, limit: int = MAX_PASSAGES, sections: int = MAX_SECTIONS, budget: int = BUDGET_CHARS) -> list[Passage]:
    """The best passages above `floor`, from few sections, within a length budget."""
    chosen: list[Passage] = []
    nodes: list[str] = []
    size = 0
    for passage in candidates:
        if passage.score < floor or len(chosen) >= limit:
            break
        if passage.node.node_id not in nodes and len(nodes) >= sections:
            continue
        length = len(passage.text) if not passage.text.rstrip().endswith(":") else min(LIST_CHARS, 2 * len(passage.text))
        if chosen and size + length > budget:
            continue
        chosen.append(passage)
        size += length
        if passage.node.node_id not in nodes:
            nodes.append(passage.node.node_id)
    return chosen


class GeneralAnswerer:
    name = "general"

    def __init__(self, library: Library, finder: PassageFinder, refusal: Refusal) -> None:
        self.library = library
        self.finder = finder
        self.refusal = refusal

    def accepts(self, question: Question) -> bool:
        return True

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        if not hits or self.refusal.subject_absent(question, hits):
            return False
        candidates = self.finder.find(question, hits[:READ_HITS])
        typed = bool(question.intents & TYPED) and METADATA not in question.intents  # the time or figures answerer tried
        floor = TYPED_FLOOR if typed else ABSOLUTE_FLOOR
        if not candidates or candidates[0].score < floor:
            return False
        best = candidates[0]
        if ARTICLE_HEADING.match(best.text) and best.node.metadata.get("layout") == "normative":
            # The article's title is what matches ("Điều 57. Hoãn hoặc miễn chấp hành …"): its clauses answer.
            return self._article(best, builder)
        chosen = choose(candidates, max(ABSOLUTE_FLOOR, best.score * RELATIVE_FLOOR))
        cite_passages(builder, self.finder, chosen)
        return bool(chosen)

    def _article(self, best: Passage, builder: AnswerBuilder) -> bool:
        blocks = clause_blocks(best.node.get_content().split("\n")[1:])
        size = 0
        for block in blocks:
            if size > BUDGET_CHARS:
                break
            builder.statement(best.node, block)
            size += len(block)
        return bool(blocks)
