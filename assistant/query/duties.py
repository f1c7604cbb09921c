"""Stage 4a, understand (duties): whether a question asks who leads or supports a task ("Ai chủ trì
việc kiểm tra cơ sở kinh doanh tiền chất?", "Những cơ quan nào phối hợp với Sở Y tế?") or what falls
due in a month or quarter ("Việc gì đến hạn trong tháng 6?", "thang 6 co viec j den han").

The answers come from the responsibility matrix and deadlines calendar the index build extracts
(index.assignments); this module only reads the question. Its words are in data/duty_questions.tsv,
matched accent-free, since chat questions often come without accents.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from assistant.query.understand import Question
from assistant.text import fold

LEAD, SUPPORT = "chủ trì", "phối hợp"  # the roles of index.assignments


@dataclass(frozen=True)
class Period:
    """The months a question asks about; `year` None when the question names none (each
    document's own year is then assumed)."""

    first_month: int
    last_month: int
    year: int | None
    wording: str  # as the question writes it ("tháng 6", "quý III")

    def bounds(self, year: int) -> tuple[date, date]:
        return date(year, self.first_month, 1), date(year, self.last_month, calendar.monthrange(year, self.last_month)[1])


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, list[str]]:
    """kind → rows ("phrases" or "word\tvalue"), from data/duty_questions.tsv."""
    text = resources.files("assistant.data").joinpath("duty_questions.tsv").read_text("utf-8")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, rest = line.split("\t", 1)
            table.setdefault(kind, []).append(rest)
    return table


@lru_cache(maxsize=None)
def _pattern(kind: str) -> re.Pattern[str]:
    phrases = [fold(p) for row in _vocabulary()[kind] for p in row.split("|")]
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(set(phrases), key=len, reverse=True)) + r")(?!\w)")


@lru_cache(maxsize=1)
def _numbers() -> dict[str, int]:
    return {fold(word): int(value) for word, value in (row.split("\t") for row in _vocabulary()["number"])}


def phrases_of(kind: str) -> re.Pattern[str]:
    """The accent-free pattern of one kind of duty-question phrase ("who", "lead", "due" …)."""
    return _pattern(kind)


def asked_role(question: Question) -> str | None:
    """ "Ai chủ trì …" → LEAD, "Những cơ quan nào phối hợp với …" → SUPPORT, else None: a role
    asked together with a who-word, the role word after it ("… do ai chủ trì" reads either way)."""
    folded = _plain(question.folded)
    who = _pattern("who").search(folded)
    if not who:
        return None
    lead, support = _pattern("lead").search(folded), _pattern("support").search(folded)
    if lead and (not support or lead.start() < support.start()):
        return LEAD
    return SUPPORT if support else None


def asked_period(question: Question) -> Period | None:
    """The month or quarter the question asks about ("tháng 6", "tháng sáu năm 2023", "quý III",
    "quy 3/2024"), None when it names neither."""
    folded = _plain(question.folded)
    words = "|".join(sorted(map(re.escape, _numbers()), key=len, reverse=True))
    number = rf"(\d{{1,2}}|[ivx]+|{words})"
    year = r"(?:\s*(?:/|nam)\s*(20\d\d))?"
    month = re.search(rf"(?<!\w)thang\s+{number}{year}(?!\w)", folded)
    if month:
        value = _value(month.group(1))
        if value and 1 <= value <= 12:
            return Period(value, value, int(month.group(2)) if month.group(2) else _only_year(question), _written(question, month))
    quarter = re.search(rf"(?<!\w)quy\s+{number}{year}(?!\w)", folded)
    if quarter:
        value = _value(quarter.group(1))
        if value and 1 <= value <= 4:
            return Period(3 * value - 2, 3 * value, int(quarter.group(2)) if quarter.group(2) else _only_year(question), _written(question, quarter))
    return None


def asks_due(question: Question) -> bool:
    """Does it ask what falls due ("đến hạn", "hạn báo cáo", "phải xong")?"""
    return bool(_pattern("due").search(_plain(question.folded)))


def asks_list(question: Question) -> bool:
    """Does it ask which ones ("việc gì", "những hạn nào") rather than one date ("… là khi nào?")?"""
    return bool(_pattern("what").search(_pattern("when").sub(" ", _plain(question.folded))))


def duty_words() -> set[str]:
    """Every word of the duty-question vocabulary: they ask, they do not describe a task."""
    out: set[str] = set()
    for kind in ("who", "lead", "support", "due", "what"):
        for row in _vocabulary()[kind]:
            out.update(re.findall(r"[a-z]+", fold(re.sub(r"\(\?[!=<][^)]*\)", " ", row))))
    return out


def _plain(folded: str) -> str:
    return re.sub(r"[?!.,;:()\"“”]", " ", folded)


def _value(written: str) -> int | None:
    if written.isdigit():
        return int(written)
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12}
    return roman.get(written) or _numbers().get(written)


def _only_year(question: Question) -> int | None:
    return question.years[0] if len(question.years) == 1 else None


def _written(question: Question, match: re.Match[str]) -> str:
    """The period as the user wrote it (the folded text keeps the original's length)."""
    text = question.text
    if len(text) == len(question.folded):
        return text[match.start() : match.end()].strip()
    return match.group(0).strip()
