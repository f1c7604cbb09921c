"""Deadlines and durations in any form: "03 ngày làm việc", "trong thời hạn 24 giờ", "từ 06 tháng
đến 12 tháng", "hằng năm trước ngày 15/12", "trước ngày 04/7/2023"."""

from __future__ import annotations

import re

from assistant.answering.answerers.typed import TypedAnswerer
from assistant.answering.evidence import ASKS_REFERENCE, BASIS_LINE, REFERENCE_DATE, time_requirement
from assistant.query.understand import METADATA, TIME as TIME_KINDS, Question


class TimeAnswerer(TypedAnswerer):
    name = "time"
    relative_floor = 0.6  # "trong bao lâu? vùng miền núi thì sao?": the general time and its exception

    def accepts(self, question: Question) -> bool:
        return bool(question.intents & TIME_KINDS) and METADATA not in question.intents

    def requirement(self, question: Question) -> re.Pattern[str]:
        return time_requirement(question.folded)

    def skip(self, question: Question) -> re.Pattern[str] | None:
        # "Quyết định số 184/QĐ-UBND ngày 31/01/2024" dates a reference, unless one is asked about;
        # a "Căn cứ …" line's dates and periods are the cited documents'.
        return None if ASKS_REFERENCE.search(question.folded) else _NOT_THIS_DOCUMENTS


_NOT_THIS_DOCUMENTS = re.compile(f"{REFERENCE_DATE.pattern}|{BASIS_LINE.pattern}.*$")
