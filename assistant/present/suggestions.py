"""Suggested next questions under an answer, each one answered before it is offered.

Chat products suggest follow-ups that turn out unanswerable; these never do. Candidates come from
the document model of what the answer cited: the next section of the same part (another body's
tasks, the next article), the report deadline of the body asked about, and the same question of
the other province's plan. Each candidate is asked of the engine as a follow-up of the turn it
is suggested under, and offered only when the answer is not a refusal and cites the document the
candidate was drawn from. Trying a candidate costs one search (~0.1–0.3 s), so at most
`MAX_TRIED` are tried, after the answer is on screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answering.engine import PolicyQueryEngine, QuestionRejected
from assistant.index.library import Library
from assistant.present.chat import Filters, LastTurn, Turn, answer, prepare
from assistant.query.understand import DEADLINE, understand

MAX_SHOWN = 3
MAX_TRIED = 5
_ARTICLE = re.compile(r"^Điều\s+(\d+)")


@dataclass(frozen=True)
class Candidate:
    question: str  # as the user would type it (a follow-up of the turn)
    sources: frozenset[str]  # the document(s) it was drawn from: its answer must cite one


def candidates(library: Library, turn: Mapping[str, Any]) -> Iterator[Candidate]:
    """Questions the cited documents suggest, most specific first, without repeats."""
    citations = list(turn.get("citations") or [])
    if not citations or turn.get("abstained") or turn.get("kind") != "answer":
        return
    asked = str(turn.get("asked") or turn.get("question") or "")
    question = understand(asked, library)
    first = citations[0]
    source = str(first.get("source") or "")
    seen: set[str] = set()

    def fresh(candidate: Candidate | None) -> bool:
        if candidate is None or candidate.question in seen or candidate.question.rstrip("?") in asked:
            return False
        seen.add(candidate.question)
        return True

    for candidate in (
        _next_section(library, first),
        _deadline_of(question, source),
        _other_province(library, question, citations),
    ):
        if fresh(candidate):
            yield candidate  # type: ignore[misc]


def _next_section(library: Library, citation: Mapping[str, Any]) -> Candidate | None:
    """The section after the cited one in the same part: "Sở Tài chính phải làm gì?" after the
    Sở Y tế's tasks, "Điều 12 … quy định gì?" after Điều 11."""
    source = str(citation.get("source") or "")
    nodes = library.sections_of(source)
    at = next((i for i, n in enumerate(nodes) if n.node_id == citation.get("node_id")), None)
    if at is None:
        return None
    here = str(nodes[at].metadata.get("section") or "")
    entry = library.documents.get(source)
    for node in nodes[at + 1:]:
        section = str(node.metadata.get("section") or "")
        if not section or section == here:
            continue
        heading = str(node.metadata.get("heading") or "").strip().rstrip(":")
        article = _ARTICLE.match(section)
        if article and entry is not None:
            name = entry.name if entry.number else "văn bản này"
            return Candidate(f"Điều {article.group(1)} {name} quy định gì?", frozenset({source}))
        if heading and understand(heading, library).agencies:
            return Candidate(f"Còn {heading} thì sao?", frozenset({source}))
        return None
    return None


def _deadline_of(question: Any, source: str) -> Candidate | None:
    """The report deadline, after a question about a body's tasks."""
    if DEADLINE in question.intents or not (question.asks_tasks and question.agencies):
        return None
    return Candidate("Hạn báo cáo là khi nào?", frozenset({source}))


def _other_province(library: Library, question: Any, citations: Sequence[Mapping[str, Any]]) -> Candidate | None:
    """The same question of another province's plan, when every cited document is of one province."""
    provinces = {str(c.get("province") or "") for c in citations}
    if len(provinces) != 1 or "" in provinces:
        return None
    (here,) = provinces
    other = next((d.province for d in library.documents.values() if d.province and d.province != here), None)
    if other is None:
        return None
    return Candidate(f"Còn {other} thì sao?", frozenset(s for s, d in library.documents.items() if d.province == other))


def checked(engine: PolicyQueryEngine, turn: Mapping[str, Any], filters: Filters | None = None) -> list[str]:
    """At most MAX_SHOWN candidates whose answer, asked as a follow-up of `turn`, is not a
    refusal and cites the document the candidate was drawn from."""
    filters = filters or Filters(**{k: list(v) for k, v in (turn.get("filters") or {}).items()})
    context = turn.get("context")
    last = LastTurn(**context) if context else None
    shown: list[str] = []
    for tried, candidate in enumerate(candidates(engine.library, turn)):
        if tried >= MAX_TRIED or len(shown) >= MAX_SHOWN:
            break
        try:
            reply: Turn = answer(engine, prepare(engine, candidate.question, last, filters), filters, last)
        except QuestionRejected:
            continue
        if not reply.abstained and any(c.get("source") in candidate.sources for c in reply.citations):
            shown.append(candidate.question)
    return shown
