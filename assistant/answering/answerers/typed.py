"""Answers that must hold a value of a kind (a time, an amount, a figure, a contact): the passages
of the retrieved sections that hold one and cover the question's subject."""

from __future__ import annotations

import re

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.general import choose, cite_passages
from assistant.answering.builder import AnswerBuilder
from assistant.answering.evidence import is_counted
from assistant.answering.passages import Passage, PassageFinder
from assistant.answering.refusal import Refusal
from assistant.index.library import Library
from assistant.query.understand import Question

READ_HITS = 12
RELATIVE_FLOOR = 0.75
ABSOLUTE_FLOOR = 0.25


class TypedAnswerer:
    """Subclasses say which questions they take and what a passage must hold."""

    name = "typed"
    relative_floor = RELATIVE_FLOOR
    clauses = False  # cut long passages at ";" so a figure comes with its own subject
    year_bound = False  # a year asked that is not the document's own must be the passage's

    def __init__(self, library: Library, finder: PassageFinder, refusal: Refusal) -> None:
        self.library = library
        self.finder = finder
        self.refusal = refusal

    def accepts(self, question: Question) -> bool:
        raise NotImplementedError

    def requirement(self, question: Question) -> re.Pattern[str]:
        raise NotImplementedError

    def skip(self, question: Question) -> re.Pattern[str] | None:
        return None

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        if self.refusal.subject_absent(question, hits):
            return False
        requirement = self.requirement(question)
        candidates = self.finder.find(question, hits[:READ_HITS], requirement=requirement, clauses=self.clauses, skip=self.skip(question))
        candidates = self.rank(question, [c for c in candidates if self.finder.of_asked_year(question, c, figures=self.year_bound)])
        if not candidates:
            return False
        best = candidates[0].score
        # The value itself is the evidence when the question names nothing else ("… kéo dài từ ngày
        # nào?") or asks for a count of a noun ("bao nhiêu xã" → "504 xã").
        bare = not self.finder.has_content_words(question, typed=True)
        absolute = 0.0 if bare or is_counted(requirement) or self.value_is_evidence(question) else ABSOLUTE_FLOOR
        if best < absolute:
            return False
        floor = max(absolute, best * self.relative_floor) if best > 0 else best
        limit = 3 if len(question.sources) == 1 else 4
        chosen = choose(candidates, floor, limit=limit)
        cite_passages(builder, self.finder, chosen, leads=False)
        return bool(chosen)

    def value_is_evidence(self, question: Question) -> bool:
        return False

    def rank(self, question: Question, candidates: list[Passage]) -> list[Passage]:
        """The candidates in the order they answer (by coverage, unless a kind knows better)."""
        return candidates
