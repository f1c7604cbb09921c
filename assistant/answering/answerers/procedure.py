"""Procedures: hồ sơ, trình tự, thủ tục, thẩm quyền — who decides, who proposes, what a file holds.

They are answered like any question (the passages that cover it), except that a passage opening a
list ("Hồ sơ gồm:", "… theo trình tự sau:") is preferred and quoted with its items: in procedures
the list is the answer."""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.general import ABSOLUTE_FLOOR, ARTICLE_HEADING, READ_HITS, RELATIVE_FLOOR, GeneralAnswerer, choose, cite_passages
from assistant.answering.builder import AnswerBuilder
from assistant.query.understand import PROCEDURE, Question

LIST_BONUS = 0.1


class ProcedureAnswerer(GeneralAnswerer):
    name = "procedure"

    def accepts(self, question: Question) -> bool:
        return PROCEDURE in question.intents

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        if not hits or self.refusal.subject_absent(question, hits):
            return False
        # An article's title line ("Điều 50. Lập hồ sơ …") names the procedure; its clauses are it.
        candidates = [p for p in self.finder.find(question, hits[:READ_HITS]) if not ARTICLE_HEADING.match(p.text)]
        for passage in candidates:
            if passage.text.rstrip().endswith(":"):
                passage.score += LIST_BONUS
        candidates.sort(key=lambda p: -p.score)
        if not candidates or candidates[0].score < ABSOLUTE_FLOOR:
            return False
        chosen = choose(candidates, max(ABSOLUTE_FLOOR, candidates[0].score * RELATIVE_FLOOR), limit=4)
        cite_passages(builder, self.finder, chosen)
        return bool(chosen)
