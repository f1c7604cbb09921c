"""Routing a question to the answerer for its kind; the general answerer takes everything else.

Each answerer says whether it takes a question (`accepts`) and writes cited statements into a
builder (`answer`, True when it found something). The first that takes a question and finds
something answers; one that takes it and finds nothing hands it on, so a specialised answerer never
turns an answerable question into a refusal. A refusal comes only from `Refusal`: out of scope
before searching, or nothing found by any answerer. A new kind of question is one new module in
`answering/answerers/` and one line in `default_answerers`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.retrieved import RetrievedAnswerer
from assistant.answering.builder import AnswerBuilder
from assistant.answering.passages import PassageFinder
from assistant.answering.refusal import Refusal
from assistant.answering.types import Answer, Unanswerable
from assistant.index.library import Library
from assistant.query.understand import Question

Retrieve = Callable[[Question], list[NodeWithScore]]


class Answerer(Protocol):
    name: str

    def accepts(self, question: Question) -> bool:
        """Is this question of the kind this answerer knows how to answer?"""

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        """Write cited statements into `builder`; True when any were found."""


class AnswerRouter:
    """The synthesizer of our query engine: question + retrieved sections → `Answer`."""

    def __init__(self, library: Library, answerers: Sequence[Answerer], refusal: Refusal, fallback: RetrievedAnswerer | None = None) -> None:
        self.library = library
        self.answerers = list(answerers)
        self.refusal = refusal
        self.fallback = fallback

    def answer(self, question: Question, hits: list[NodeWithScore], parts: Sequence[tuple[Question, list[NodeWithScore]]] = ()) -> Answer:
        """The cited answer; each further part of a question that asks several things
        (`question_parts`) adds what it finds that the answer does not already say."""
        found = self._route(question, hits)
        answered = [] if isinstance(found, Answer) else [found]
        # A whole refused for what the documents lack (a document, a year, an unstated signer) has
        # no part to answer; one refused for finding nothing may still have an answerable part.
        if answered or found.refusal in ("value", "subject"):  # type: ignore[union-attr]
            for part, part_hits in parts:
                other = self._route(part, part_hits, fallback=False)
                if not isinstance(other, Answer):
                    answered.append(other)
        if not answered:
            return found  # type: ignore[return-value]  # the refusal of the whole
        builder, name = answered[0]
        for other, _ in answered[1:]:
            builder.absorb(other, PART_STATEMENTS)
        return self._render(builder, question, name)

    def _route(self, question: Question, hits: list[NodeWithScore], fallback: bool = True) -> tuple[AnswerBuilder, str] | Answer:
        """The first answerer that takes the question and finds something, or a refusal."""
        reason, path = self.refusal.out_of_scope(question)
        if reason:
            return self.refusal.answer(reason, path)
        for answerer in self.answerers:
            if not answerer.accepts(question):
                continue
            builder = AnswerBuilder(self.library)
            try:
                found = answerer.answer(question, hits, builder)
            except Unanswerable as refused:
                if not refused.needs_proof or self.refusal.proven(question, hits):
                    return self.refusal.answer(refused.reason, refused.path, question)
                break  # the top sections hold a value of the kind asked: show them, not a refusal
            if found:
                self._other_parts(answerer, question, hits, builder)
                return builder, answerer.name
        return self._fall_back(question, hits) if fallback else self.refusal.answer(self.refusal.why_nothing(question), self._nothing_path(question), question)

    def _fall_back(self, question: Question, hits: list[NodeWithScore]) -> tuple[AnswerBuilder, str] | Answer:
        """No answerer found its kind of answer: refused only when the top sections are proven
        silent (no value of the kind asked, or not the question's subject); else their best passages."""
        reason, path = self.refusal.why_nothing(question), self._nothing_path(question)
        evidence = self.refusal.evidence(question, hits) if self.fallback is not None else None
        if self.fallback is None or evidence is None:
            return self.refusal.answer(reason, path, question)
        builder = AnswerBuilder(self.library)
        if not self.fallback.answer(question, evidence, builder, self.refusal.value_kind(question), reason.removeprefix("về ").removeprefix("cho câu hỏi này")):
            return self.refusal.answer(reason, path, question)
        return builder, self.fallback.name

    def _nothing_path(self, question: Question) -> str:
        return "value" if self.refusal.value_kind(question) is not None else "subject"

    def _render(self, builder: AnswerBuilder, question: Question, name: str) -> Answer:
        if question.missing_documents:  # what other documents say about one that is not indexed
            names = ", ".join(question.missing_documents)
            builder.intro = f"{names} chưa có trong hệ thống; dưới đây là những gì các văn bản hiện có nêu về văn bản này."
        answer = builder.render()
        answer.answerer = name
        return answer


    def _other_parts(self, first: Answerer, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> None:
        """ "Trong bao lâu, ai quyết định?", "do ai quyết định và tối thiểu bao nhiêu?": a question
        asking a time, a figure and who decides is answered on each part, by each part's answerer
        (a part already answered by the same passage adds nothing)."""
        if first.name not in PARTS:
            return
        for other in self.answerers:
            if other is first or other.name not in PARTS or not other.accepts(question):
                continue
            try:
                other.answer(question, hits, builder)
            except Unanswerable:
                continue


# Answerers of one part of a question each: a question may ask several (a time, an amount, who decides).
PARTS = frozenset({"time", "figures", "procedure"})
PART_STATEMENTS = 3  # what a further part of a question may add to the answer of the whole


def default_answerers(library: Library, retrieve: Retrieve, finder: PassageFinder, refusal: Refusal) -> list[Answerer]:
    """The answerers in the order they are tried; the general one last takes everything."""
    from assistant.answering.answerers.agency import AgencyAnswerer
    from assistant.answering.answerers.article import ArticleAnswerer
    from assistant.answering.answerers.comparison import ComparisonAnswerer
    from assistant.answering.answerers.definition import DefinitionAnswerer
    from assistant.answering.answerers.document_facts import DocumentFactsAnswerer
    from assistant.answering.answerers.due import DueAnswerer
    from assistant.answering.answerers.figures import FiguresAnswerer
    from assistant.answering.answerers.general import GeneralAnswerer
    from assistant.answering.answerers.procedure import ProcedureAnswerer
    from assistant.answering.answerers.roles import RoleAnswerer
    from assistant.answering.answerers.time import TimeAnswerer

    others: list[Answerer] = [
        DocumentFactsAnswerer(library, finder),
        ArticleAnswerer(library, finder),
        DefinitionAnswerer(library, finder),
        RoleAnswerer(library, finder),
        DueAnswerer(library, finder),
        AgencyAnswerer(library, finder),
        TimeAnswerer(library, finder, refusal),
        FiguresAnswerer(library, finder, refusal),
        ProcedureAnswerer(library, finder, refusal),
        GeneralAnswerer(library, finder, refusal),
    ]
    return [ComparisonAnswerer(library, retrieve, finder, others), *others]
