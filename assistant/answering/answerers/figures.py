"""Amounts and figures in any written form: "450.000 đ", "0,8 mức lương cơ sở", "25% mức lương cơ
sở", "504 xã, phường, đặc khu", "Trên 80%"; a figure comes with the noun it counts."""

from __future__ import annotations

import re

from assistant.answering.answerers.typed import TypedAnswerer
from assistant.answering.evidence import ASKS_SHARE, MONEY, MONEY_OR_SHARE, figure_requirement
from assistant.query.understand import METADATA, MONEY as MONEY_KIND, NUMBER, Question


class FiguresAnswerer(TypedAnswerer):
    name = "figures"
    clauses = True

    def accepts(self, question: Question) -> bool:
        return bool(question.intents & {MONEY_KIND, NUMBER}) and METADATA not in question.intents

    def requirement(self, question: Question) -> re.Pattern[str]:
        if MONEY_KIND in question.intents:
            return MONEY_OR_SHARE if ASKS_SHARE.search(question.folded) else MONEY
        return figure_requirement(question.folded)
