"""The chat's side of answers that get better with use: an approved answer before the engine's,
and every question asked kept on the server for the review queue and the usage figures.

Lives in the present layer: the engine answers as it always does; the chat (web page, /chat)
asks here first and records here after.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import asdict
from typing import Any

from assistant.config import Settings
from assistant.index.library import Library
from assistant.present.approved import ApprovedMatcher, ApprovedStore, Match
from assistant.present.chat import Conversation, Filters, LastTurn, Prepared, Turn
from assistant.present.feedback import FeedbackStore, now_iso, storable
from assistant.query.understand import understand

log = logging.getLogger(__name__)
APPROVED_MARK = "Câu trả lời đã được duyệt ngày {date}."
USUAL_HINT = "Bấm “Xem câu trả lời tự động” để xem câu trả lời thường của trợ lý."


def approved_mark(date: str) -> str:
    return APPROVED_MARK.format(date=date)


class ApprovedReplies:
    """Approved answers for the chat, and the log of questions asked (table `asked`)."""

    def __init__(self, feedback: FeedbackStore, embed: Any, engine_read: Any, settings: Settings) -> None:
        self.feedback = feedback
        self.store = ApprovedStore(feedback)
        self.matcher = ApprovedMatcher(self.store, embed, engine_read, settings.approved_similarity, settings.approved_overlap)

    @classmethod
    def for_assistant(cls, assistant: Any, feedback: FeedbackStore) -> ApprovedReplies:
        """Reads questions with the live engine's reader (whatever build is current)."""
        return cls(feedback, assistant.embed_model, lambda text: assistant.engine.read(text), assistant.settings)

    def match(self, prepared: Prepared, library: Library) -> Match | None:
        if prepared.small_talk is not None or not self.feedback.path.exists():
            return None
        try:
            return self.matcher.match(prepared.asked, library, prepared.filters.sources(library))
        except sqlite3.Error as err:  # the engine still answers; the operator's log says why no approved answer
            log.warning("approved answers unavailable: %s", err)
            return None

    def turn(self, prepared: Prepared, filters: Filters, library: Library, last: LastTurn | None = None) -> Turn | None:
        """The approved answer to this question as a chat turn, or None when there is none."""
        started = time.perf_counter()
        found = self.match(prepared, library)
        if found is None:
            return None
        answer = found.answer
        citations = answer.citations()
        conversation = Conversation(library, filters.sources(library))
        conversation.remember(prepared.remembered, answer.sources, prepared.document)
        return Turn(
            question=prepared.message, asked=prepared.asked, understood_as=prepared.understood_as, answer=answer.text(),
            citations=citations, abstained=False, filters=filters.as_dict(), build_id=library.build_id,
            context=asdict(conversation.last) if conversation.last else (asdict(last) if last else None),
            notices=[approved_mark(answer.approved_date), *prepared.notices, USUAL_HINT], kind="approved",
            answerer=f"approved:{answer.id}", timings_ms={"total": round((time.perf_counter() - started) * 1000, 1)},
        )

    def record(self, turn: Turn, library: Library) -> None:
        """Keep an answered question (never small talk or a rejected message) for the review
        queue and the usage figures. Stays on the server, in the feedback database."""
        if turn.kind not in ("answer", "approved"):
            return
        question = understand(turn.asked, library)
        named = list(question.sources) if question.named_sources else []
        agencies = list(dict.fromkeys(m.name for m in question.agencies))
        approved_id = int(turn.answerer.split(":", 1)[1]) if turn.answerer.startswith("approved:") else None
        try:
            self._insert(turn, named, agencies, approved_id)
        except sqlite3.Error as err:  # a full disk must not cost the user the answer
            log.warning("question not logged: %s", err)

    def _insert(self, turn: Turn, named: list[str], agencies: list[str], approved_id: int | None) -> None:
        with self.feedback.connect() as db:
            db.execute(
                "INSERT INTO asked (asked_at, turn_id, question, understood, kind, abstained, answerer, refusal, answer, citations,"
                " scope, agencies, total_ms, build_id, approved_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now_iso(), turn.id, storable(turn.question), storable(turn.asked), turn.kind, int(turn.abstained), turn.answerer,
                 turn.refusal, storable(turn.answer), storable(json.dumps(turn.citations, ensure_ascii=False)), json.dumps(named, ensure_ascii=False),
                 json.dumps(agencies, ensure_ascii=False), (turn.timings_ms or {}).get("total"), turn.build_id, approved_id),
            )
