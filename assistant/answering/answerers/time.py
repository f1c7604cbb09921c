"""Deadlines and durations in any form: "03 ngày làm việc", "trong thời hạn 24 giờ", "từ 06 tháng
đến 12 tháng", "hằng năm trước ngày 15/12", "trước ngày 04/7/2023"."""

from __future__ import annotations

import re

from assistant.answering.answerers.typed import TypedAnswerer
from assistant.answering.evidence import ASKS_REFERENCE, BASIS_LINE, REFERENCE_DATE, asked_act, does_act, time_requirement
from assistant.answering.passages import Passage
from assistant.query.understand import METADATA, TIME as TIME_KINDS, Question
from assistant.text import fold


ACT_BONUS = 0.15  # a passage whose "phải …" is the act asked, against one that only shares its words


class TimeAnswerer(TypedAnswerer):
    name = "time"
    relative_floor = 0.6  # "trong bao lâu? vùng miền núi thì sao?": the general time and its exception

    def accepts(self, question: Question) -> bool:
        return bool(question.intents & TIME_KINDS) and METADATA not in question.intents

    def rank(self, question: Question, candidates: list[Passage]) -> list[Passage]:
        """ "… thì phải ra quyết định trong bao lâu?": the time of that act ("Trong thời hạn 15
        ngày, … Tòa án phải ra một trong các quyết định …") before the times of its neighbours
        ("… phải thụ lý và phân công Thẩm phán") that share the question's words."""
        act = asked_act(question.text)
        if not act:
            return candidates
        for passage in candidates:
            if does_act(fold(passage.text), act):
                passage.score += ACT_BONUS
        return sorted(candidates, key=lambda p: -p.score)

    def requirement(self, question: Question) -> re.Pattern[str]:
        return time_requirement(question.folded)

    def skip(self, question: Question) -> re.Pattern[str] | None:
        # "Quyết định số 184/QĐ-UBND ngày 31/01/2024" dates a reference, unless one is asked about;
        # a "Căn cứ …" line's dates and periods are the cited documents'.
        return None if ASKS_REFERENCE.search(question.folded) else _NOT_THIS_DOCUMENTS


_NOT_THIS_DOCUMENTS = re.compile(f"{REFERENCE_DATE.pattern}|{BASIS_LINE.pattern}.*$")
