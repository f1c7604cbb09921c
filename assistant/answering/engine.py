"""The query engine every front end uses (CLI, web chat, eval): question in, cited `Response` out."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import QueryBundle

from assistant.answering.answerers.retrieved import RetrievedAnswerer
from assistant.answering.passages import PassageFinder
from assistant.answering.refusal import Refusal
from assistant.answering.router import AnswerRouter, default_answerers
from assistant.config import Settings
from assistant.index.library import Library
from assistant.query.parts import points_back, question_parts
from assistant.query.understand import COMPARISON, Question, understand
from assistant.query.nonsense import NotAQuestion
from assistant.query.reading import read_question
from assistant.query.retrieve import HybridRetriever
from assistant.text import collapse_spaces, nfc


class QuestionRejected(ValueError):
    """Input we do not search for (empty, too long, nonsense); the message is shown to the user."""


@dataclass
class Scope:
    """A session's filter (web chat): which documents a question may be answered from."""

    sources: list[str] = field(default_factory=list)


class PolicyQueryEngine(BaseQueryEngine):
    """Read the question → understand it → retrieve → route to an answerer → a cited answer.

    Composed like llama-index's RetrieverQueryEngine: a retriever and a synthesizer (here the
    `AnswerRouter`) are handed in, so either can be replaced (an LLM answerer, another retriever)
    without touching the other. `Response.metadata` carries what front ends show besides the text:
    `abstained`, `citations`, `understood_as` (when cleaning changed the question), `answerer` and
    `timings_ms`.
    """

    def __init__(
        self,
        library: Library,
        retriever: HybridRetriever,
        settings: Settings,
        router: AnswerRouter | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager or CallbackManager([]))
        self.library = library
        self.retriever = retriever
        self.settings = settings
        self.router = router or default_router(library, retriever)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        return self.ask(query_bundle.query_str)

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self.ask(query_bundle.query_str)

    def read(self, raw: str) -> tuple[str, bool]:
        """Normalise what the user typed (NFC; chat-paste cleaning and diacritics where available)."""
        text = collapse_spaces(nfc(raw or ""))
        if not text:
            raise QuestionRejected("Câu hỏi trống. Hãy nhập câu hỏi, ví dụ: “Sở Y tế phải làm gì?”")
        if len(text) > self.settings.max_question_chars:
            raise QuestionRejected(
                f"Câu hỏi dài {len(text):,} ký tự, vượt giới hạn {self.settings.max_question_chars:,} ký tự. "
                "Hãy rút gọn câu hỏi."
            )
        try:
            reading = read_question(text, self.library.restorer)
        except NotAQuestion as nonsense:  # front ends handle one kind of refusal
            raise QuestionRejected(str(nonsense)) from None
        if not reading.text.strip():
            raise QuestionRejected("Không còn nội dung câu hỏi sau khi bỏ phần đầu tin nhắn Zalo. Hãy nhập lại câu hỏi.")
        return reading.text, reading.changed

    def ask(self, raw: str, scope: Scope | None = None, understood: str | None = None) -> Response:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if understood is not None:
            text, changed = understood, understood != collapse_spaces(nfc(raw))
        else:
            text, changed = self.read(raw)
        timings["read"] = _ms(started)
        mark = time.perf_counter()
        question = understand(text, self.library, scope.sources if scope else None)
        timings["understand"] = _ms(mark)
        mark = time.perf_counter()
        retrieved = self.retriever.retrieve_question(question)
        parts = [(part, self.retriever.retrieve_question(part)) for part in self._parts(text, question, scope)]
        timings["retrieve"] = _ms(mark)
        mark = time.perf_counter()
        answer = self.router.answer(question, retrieved, parts)
        timings["answer"] = _ms(mark)
        timings["total"] = _ms(started)
        return Response(
            response=answer.text,
            source_nodes=answer.source_nodes,
            metadata={
                "question": raw,
                "understood_as": text if changed else None,
                "abstained": answer.abstained,
                "citations": [c.as_dict() for c in answer.citations],
                "retrieved": [
                    {"node_id": n.node.node_id, "source": n.node.metadata.get("source"), "section": n.node.metadata.get("section"), "score": n.score}
                    for n in retrieved
                ],
                "intents": sorted(question.intents),
                "answerer": answer.answerer,
                "refusal": answer.refusal,
                "timings_ms": timings,
            },
        )


    def _parts(self, text: str, question: Question, scope: Scope | None) -> list[Question]:
        """The further questions of a message that asks several things, each with the documents,
        bodies, provinces, years and appendix units the whole message names when it names none of its own. A
        comparison is one question whatever its clauses."""
        if COMPARISON in question.intents:
            return []
        parts = question_parts(text)
        found = []
        for part_text in parts if len(parts) > 1 else []:
            part = understand(part_text, self.library, scope.sources if scope else None)
            found.append(replace(
                part,
                sources=part.sources or question.sources,
                named_sources=part.named_sources or (not part.sources and question.named_sources),
                agencies=part.agencies or question.agencies,
                provinces=part.provinces or question.provinces,
                years=part.years or question.years,
                entries=part.entries or (question.entries if points_back(part_text) else []),  # "(chỉ tiêu 506) … và chỉ tiêu này …"
            ))
        return found


def default_router(library: Library, retriever: HybridRetriever) -> AnswerRouter:
    """The extractive answerers over one library (see `answering.router.default_answerers`)."""
    finder = PassageFinder(library)
    refusal = Refusal(library, finder)
    answerers = default_answerers(library, retriever.retrieve_question, finder, refusal)
    return AnswerRouter(library, answerers, refusal, RetrievedAnswerer(library, finder))


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
