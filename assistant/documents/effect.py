"""When a document was passed and from when it applies, in its own closing words.

A law, an ordinance or a council resolution ends with who passed it and when ("Luật này đã được
Quốc hội … khóa XV, kỳ họp thứ 10 thông qua ngày 10 tháng 12 năm 2025."; "Nghị quyết này đã được
HĐND tỉnh khoá XV, kỳ họp thứ 13 thông qua ngày 23 tháng 7 năm 2008."): the only date a copy
without its header states. Every normative text says from when it applies (Luật Ban hành văn bản
QPPL, Điều 151–152): on a date ("từ ngày 01 tháng 7 năm 2026", "từ ngày 01/02/2010"), on the day
it is signed or passed ("kể từ ngày ký", "kể từ ngày ký ban hành", "kể từ ngày thông qua"), or a
number of days after that ("sau 45 ngày, kể từ ngày ký"). The patterns are matched on accent-folded
text, so an OCR copy that lost a tone mark ("19 thang 01 năm 2026") reads the same.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from assistant.documents.vocabulary import document_kinds
from assistant.text import fold

_DATE = r"(?:(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})\s*nam\s*(?P<y>\d{4})|(?P<slash>\d{1,2}/\d{1,2}/\d{4}))"


@lru_cache(maxsize=1)
def this_document() -> re.Pattern[str]:
    """ "Luật này", "Nghị quyết này", "Văn bản này" — a text naming itself (folded)."""
    kinds = sorted({fold(k.name) for k in document_kinds()} | {"van ban"}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, kinds)) + r") nay(?!\w)")


_PASSED = re.compile(
    r"(?<!\w)(?P<kind>[a-z ]{3,24}?) nay (?:da )?duoc (?P<by>[^.;]{3,220}?) thong qua (?:vao )?ngay\s*" + _DATE
)
_EFFECTIVE = re.compile(
    r"(?:co hieu luc|hieu luc thi hanh)(?P<gap>[^.;]{0,40}?)(?:sau (?P<n>\d{1,3}) ngay,?\s*)?(?:ke\s+)?tu\s+ngay\s*(?:"
    + _DATE
    + r"|(?P<passed>[^.;]{0,80}?thong qua)\b|(?P<signed>ky(?! hop)|ban hanh)\b)"
)


def date_of(match: re.Match[str]) -> str:
    """dd/mm/yyyy of a `_DATE` match."""
    if match.group("slash"):
        d, m, y = match.group("slash").split("/")
    else:
        d, m, y = match.group("d"), match.group("m"), match.group("y")
    return f"{int(d):02d}/{int(m):02d}/{y}"


def passed_on(lines: list[str], kind: str) -> tuple[str, str]:
    """(dd/mm/yyyy, who passed it) from the closing "<Kind> này đã được … thông qua ngày …"; the
    last such sentence of the text, and only for the document's own kind when it is known (a
    Lệnh công bố quotes the law's "Đã được Quốc hội … thông qua" without "này")."""
    own = fold(kind)
    found = ("", "")
    for line in lines[-60:]:
        for match in _PASSED.finditer(fold(line)):
            said = match.group("kind").split()
            named = next((" ".join(said[i:]) for i in range(len(said)) if this_document().fullmatch(" ".join(said[i:]) + " nay")), "")
            if not named or (own and named != own):
                continue
            start, end = match.start("by"), match.end("by")
            found = (date_of(match), line[start:end].strip())
    return found


def effective(lines: list[str], signed: str, passed: str) -> tuple[str, str]:
    """(dd/mm/yyyy or "", the sentence saying it) of the first sentence in which the document
    says from when it applies. The day of signing or passing is `signed` / `passed` ("" when the
    copy does not state it: the sentence is still returned, the date is not guessed)."""
    for line in lines:
        folded = fold(line)
        naming = this_document().search(folded)
        if not naming:
            continue
        match = _EFFECTIVE.search(folded, naming.start())
        if not match:
            continue
        sentence = _sentence_around(line, match.start())
        if match.group("signed"):
            base = signed
        elif match.group("passed"):
            base = passed or signed
        else:
            return date_of(match), sentence
        return _plus_days(base, int(match.group("n") or 0)), sentence
    return "", ""


def _plus_days(day: str, days: int) -> str:
    found = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", day)
    if not found:
        return ""
    try:
        start = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        return ""
    return (start + timedelta(days=days)).strftime("%d/%m/%Y")


def _sentence_around(line: str, position: int) -> str:
    stops = [i + 2 for i in (line.rfind(". ", 0, position), line.rfind("; ", 0, position)) if i >= 0]
    start = max(stops, default=0)
    ends = [i for i in (line.find(". ", position), line.find("; ", position)) if i >= 0]
    end = min(ends) + 1 if ends else len(line)
    return line[start:end].strip()
