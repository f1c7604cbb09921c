"""When something falls due, as documents write it: "trước ngày 04/7/2023", "trước ngày 15/12 hằng
năm", "từ ngày 01 đến ngày 30 tháng 6 năm 2023", "trong tháng 5/2023", "Quý III/2023", "định kỳ 06
tháng". Each phrase keeps its wording and gets an ISO date when it names a day, a start and end
when it names a period, and a recurrence when it comes back. A day written without its year takes
the document's year. Dates of cited documents ("Kế hoạch số 23/KH-UBND ngày 30/01/2023"), of
taking effect ("có hiệu lực từ ngày …") and cut-offs about the past ("xảy ra trước ngày …") are
not deadlines.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

# A day: "04/7/2023", "15-12", "15 tháng 01", "30 tháng 6 năm 2023" (groups: day, month, year).
_DAY = r"(\d{1,2})\s*(?:[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|\s+tháng\s+(\d{1,2})(?:\s*(?:năm|/)\s*(\d{4}))?)"
_DAY_ONLY = r"(\d{1,2})(?:\s*(?:[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|\s+tháng\s+(\d{1,2})(?:\s*(?:năm|/)\s*(\d{4}))?))?"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_PERIOD = re.compile(rf"(?<!\w)(?:bắt đầu\s+)?từ\s+ngày\s*{_DAY_ONLY}\s+(?:đến|tới)\s+(?:hết\s+)?ngày\s*{_DAY}(?![\d/])", re.I)
_BEFORE = re.compile(rf"(?<!\w)(?:trước|chậm nhất(?:\s+là)?(?:\s+(?:vào|trước))?)\s+(?:ngày\s*)?{_DAY}(?![\d/])", re.I)
_MONTH = re.compile(r"(?<!\w)(?:trong|vào)\s+tháng\s+(\d{1,2})(?:\s*(?:/|năm)\s*(\d{4}))?(?![\d/])", re.I)
_QUARTER = re.compile(r"(?<!\w)(?:(?:trong|vào|trước)\s+)?quý\s+(IV|I{1,3}|[1-4])(?:\s*(?:/|năm)\s*(\d{4}))?(?![\w/])", re.I)
_PERIODIC = re.compile(r"(?<!\w)định kỳ\s+(?:\(?\s*)?(?:hằng|hàng)\s+(?:năm|quý|tháng)|(?<!\w)định kỳ\s+\(?\s*(?:0?[36]|sáu|ba)\s+tháng", re.I)
_MAY_HOLD_DATE = re.compile(r"\d|định kỳ", re.I)  # a sentence with neither names no day, period or recurrence
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n")


@dataclass(frozen=True)
class DatePhrase:
    """One deadline phrase as a document writes it, and what it means on a calendar."""

    when_text: str
    offset: int  # where it starts in the text read
    date: str | None = None  # ISO day it falls due
    start: str | None = None  # ISO first day of a period
    end: str | None = None  # ISO last day of a period
    recurrence: str | None = None  # "hằng năm", "hằng quý", "6 tháng" …


@lru_cache(maxsize=1)
def assignment_words() -> dict[str, list[tuple[str, str]]]:
    """data/assignment_words.tsv: kind → [(phrase, value)]."""
    text = resources.files("assistant.data").joinpath("assignment_words.tsv").read_text("utf-8")
    table: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, phrase, *value = line.split("\t")
        table.setdefault(kind, []).append((phrase, value[0] if value else phrase))
    return table


def _phrases(kind: str) -> list[str]:
    return [phrase for phrase, _ in assignment_words().get(kind, [])]


@lru_cache(maxsize=1)
def _recurrence_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    rows = assignment_words()["recurrence"]
    values = {phrase.lower(): value for phrase, value in rows}
    alternatives = "|".join(re.escape(p) for p in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I), values


def recurrence_in(text: str) -> str | None:
    """How often the sentence says a thing comes back ("hằng năm", "6 tháng"), if it says so."""
    pattern, values = _recurrence_pattern()
    match = pattern.search(text)
    return values[match.group(0).lower()] if match else None


def _iso(day: int, month: int, year: int | None) -> str | None:
    if year is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _day(groups: tuple[str | None, ...], year: int | None) -> tuple[int, int | None, int | None]:
    """(day, month, year) of a `_DAY` match's five groups; the year falls back to `year`."""
    day, month_a, year_a, month_b, year_b = groups
    month = month_a or month_b
    written = year_a or year_b
    return int(day or 0), int(month) if month else None, int(written) if written else year


def _month_end(year: int, month: int) -> str:
    return date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def date_phrases(text: str, year: int | None) -> list[DatePhrase]:
    """Every deadline phrase of `text`, in order; `year` is the document's (for "trước ngày 15/12")."""
    found: list[DatePhrase] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return all(match.end() <= a or match.start() >= b for a, b in taken)

    def add(match: re.Match[str], phrase: DatePhrase) -> None:
        taken.append(match.span())
        found.append(phrase)

    for match in _PERIOD.finditer(text):
        end_day, end_month, end_year = _day(match.groups()[5:], year)
        start_day, start_month, start_year = _day(match.groups()[:5], end_year)
        if end_month is None or end_year is None:
            continue
        start = _iso(start_day, start_month or end_month, start_year or end_year)
        end = _iso(end_day, end_month, end_year)
        if start and end and start <= end:
            add(match, DatePhrase(match.group(0).strip(), match.start(), start=start, end=end))
    for match in _BEFORE.finditer(text):
        day, month, when = _day(match.groups(), year)
        before = text[max(0, match.start() - 12) : match.start()].lower()
        if month is None or not free(match) or any(re.search(rf"(?<!\w){re.escape(w)}\s*$", before) for w in _phrases("cutoff")):
            continue
        iso = _iso(day, month, when)
        if iso or (when is None and 1 <= month <= 12 and 1 <= day <= 31):  # a document of unknown year: the wording stays
            add(match, DatePhrase(match.group(0).strip(), match.start(), date=iso))
    for match in _MONTH.finditer(text):
        month, written = int(match.group(1)), match.group(2)
        when = int(written) if written else year
        if not 1 <= month <= 12 or when is None or not free(match):
            continue
        add(match, DatePhrase(match.group(0).strip(), match.start(), start=date(when, month, 1).isoformat(), end=_month_end(when, month)))
    for match in _QUARTER.finditer(text):
        quarter, written = _ROMAN[match.group(1).upper()], match.group(2)
        when = int(written) if written else year
        if when is None or not free(match):
            continue
        first = 3 * quarter - 2
        add(match, DatePhrase(match.group(0).strip(), match.start(), start=date(when, first, 1).isoformat(), end=_month_end(when, first + 2)))
    for match in _PERIODIC.finditer(text):
        if free(match) and not found:  # "Định kỳ hằng năm (trước ngày 20/12)": the day is the deadline
            add(match, DatePhrase(match.group(0).strip(" ("), match.start(), recurrence=recurrence_in(match.group(0).replace("(", ""))))
    return sorted(found, key=lambda p: p.offset)


def deadline_sentences(text: str) -> list[tuple[str, int]]:
    """The sentences of `text` (with their offsets) that may state a deadline: not those stating
    when a text takes effect, nor a preamble's "Căn cứ" lines."""
    out: list[tuple[str, int]] = []
    position = 0
    for piece in _SENTENCE_END.split(text):
        offset = text.find(piece, position)
        position = offset + len(piece)
        if _MAY_HOLD_DATE.search(piece) and not _not_deadline().search(piece):
            out.append((piece, offset))
    return out


@lru_cache(maxsize=1)
def _not_deadline() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in _phrases("not_deadline")) + r")(?!\w)")


def deadlines_in(text: str, year: int | None, issued: int | None = None) -> list[tuple[str, DatePhrase]]:
    """(sentence, phrase) for every deadline of `text`. A phrase whose date lies before the year
    the document was issued (`issued`) speaks of the past ("trước ngày 01/01/1945"): none. A day
    with no year in a sentence saying "hằng năm" comes back every year."""
    out: list[tuple[str, DatePhrase]] = []
    for sentence, _ in deadline_sentences(text):
        for phrase in date_phrases(sentence, year):
            first = phrase.date or phrase.start
            if issued and first and int(first[:4]) < issued:
                continue
            if phrase.recurrence is None:
                again = recurrence_in(sentence)
                written_year = re.search(r"\d{4}", phrase.when_text)
                if again and not written_year:
                    phrase = DatePhrase(phrase.when_text, phrase.offset, phrase.date, phrase.start, phrase.end, again)
            out.append((sentence.strip(), phrase))
    return out
