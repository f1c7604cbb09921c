"""Amounts and figures in any written form: "450.000 đ", "0,8 mức lương cơ sở", "25% mức lương cơ
sở", "504 xã, phường, đặc khu", "Trên 80%"; a figure comes with the noun it counts."""

from __future__ import annotations

import re

from llama_index.core.schema import NodeWithScore

from assistant.answering.answerers.typed import TypedAnswerer
from assistant.answering.builder import AnswerBuilder
from assistant.answering.types import Unanswerable
from assistant.answering.evidence import amount_or_figure
from assistant.query.understand import METADATA, MONEY as MONEY_KIND, NUMBER, TIME, Question


class FiguresAnswerer(TypedAnswerer):
    """An amount, a count or a share must be stated to be the answer: asked one and found none, the
    documents do not say it, and no other passage stands in for it."""

    name = "figures"
    clauses = True
    year_bound = True

    def accepts(self, question: Question) -> bool:
        return bool(question.intents & {MONEY_KIND, NUMBER}) and METADATA not in question.intents

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        if super().answer(question, hits, builder):
            return True
        if question.intents & TIME:  # "hạn ngày bao nhiêu": a date was asked, and the time answerer found none
            return False
        if not question.asks_value and MONEY_KIND not in question.intents:
            return False  # "mã số 503 là những chỉ tiêu gì": a figure named, none asked; others answer
        raise Unanswerable("về số tiền hay mức kinh phí được hỏi" if MONEY_KIND in question.intents else "về con số được hỏi", needs_proof=True, path="value")

    def requirement(self, question: Question) -> re.Pattern[str]:
        return amount_or_figure(question.folded, MONEY_KIND in question.intents, question.subjects.get(MONEY_KIND, []))
