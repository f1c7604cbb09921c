"""Never below plain retrieval: when no answerer found an answer of its kind and the documents are
not proven silent, the reader still gets the best passages of the top retrieved sections — a
sentence or two from each, cited, short — with a line saying that none answers directly.

A plain retrieval pipeline shows its top five chunks whole; what they hold, ours must not lose by
refusing. A refusal is a claim that needs proof (`Refusal.proven`); without it, this answers.
"""

from __future__ import annotations

import re

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.general import cite_passages
from assistant.answering.builder import AnswerBuilder
from assistant.answering.passages import Passage, PassageFinder
from assistant.index.library import Library
from assistant.query.understand import MONEY, NUMBER, Question

TOP_SECTIONS = 5  # as many sections as a plain top-5 retrieval shows
MAX_SECTIONS = 3
PER_SECTION = 2
BUDGET_CHARS = 1100
MIN_SCORE = 0.05  # a passage sharing nothing with the question is not evidence of anything


class RetrievedAnswerer:
    name = "retrieved"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder

    def accepts(self, question: Question) -> bool:
        return True

    def answer(
        self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder, requirement: re.Pattern[str] | None = None,
        missing: str = "",
    ) -> bool:
        """The best passages of the top sections (holding a value of the kind asked, when
        `requirement` says which); `missing` names what none of them states directly."""
        candidates = self.finder.find(question, hits[:TOP_SECTIONS], requirement=requirement, clauses=requirement is not None)
        figures = requirement is not None and bool(question.intents & {MONEY, NUMBER})
        chosen = _spread([c for c in candidates if self.finder.of_asked_year(question, c, figures)])
        if not chosen:
            return False
        cite_passages(builder, self.finder, chosen, leads=requirement is None)
        what = f" {missing}" if missing else ""
        builder.intro = f"Chưa thấy đoạn nào nêu trực tiếp{what}; dưới đây là những đoạn gần nhất với câu hỏi trong các văn bản:"
        return True


def _spread(candidates: list[Passage]) -> list[Passage]:
    """The best passages, a few per section, from the best few sections, within a length budget."""
    chosen: list[Passage] = []
    per_node: dict[str, int] = {}
    size = 0
    for passage in candidates:
        if passage.score < MIN_SCORE:
            break
        node = passage.node.node_id
        if node not in per_node and len(per_node) >= MAX_SECTIONS:
            continue
        if per_node.get(node, 0) >= PER_SECTION:
            continue
        if chosen and size + len(passage.text) > BUDGET_CHARS:
            continue
        chosen.append(passage)
        per_node[node] = per_node.get(node, 0) + 1
        size += len(passage.text)
    return chosen
