"""A copy without its header block: the title on the first line, who issued it on the next.

Web databases of legal texts print a document as its title line ("Nghị quyết về trách nhiệm đóng
góp … trên địa bàn tỉnh nghệ an", "LUẬT PHÒNG, CHỐNG MA TÚY SỐ 73/2021/QH14 NGÀY 30 THÁNG 3 NĂM
2021"), often the issuer or the one who decides on the next line, lower-cased ("Uỷ ban nhân dân
tỉnh long an", "Thủ tướng chính phủ", "Bộ trưởng bộ công thương"), then the body from its
preamble. A first line opening with a kind of document is taken as such a title only when the
text reads as that document: the next line names an issuer, or the body opens with its legal
bases ("Căn cứ …", "Xét đề nghị …"), numbers its articles ("Điều 1."), or says from when "<kind>
này" applies. A news article or an essay whose title happens to start with "Quyết định" shows
none of these and keeps no kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.documents.agencies import is_agency_name
from assistant.documents.casing import sentence_case, titled
from assistant.documents.effect import date_of
from assistant.documents.references import NUMBER, normalize_number
from assistant.documents.vocabulary import issuer_codes, kind_named
from assistant.text import collapse_spaces, fold

# Who decides, on the line under a title: "Thủ tướng chính phủ", "Bộ trưởng bộ công thương",
# "Chủ tịch ủy ban nhân dân tỉnh …", "Thống đốc ngân hàng nhà nước" (folded).
_SPEAKER = re.compile(r"^(?:thu tuong|pho thu tuong|bo truong|chu tich|giam doc|cuc truong|tong cuc truong|thong doc|chu nhiem|tong kiem toan|vien truong|chanh an|truong ban)\b")
_OWN_NUMBER = re.compile(r"\s+(?:số|SỐ|sô|SÔ)\s*:?\s*(?P<number>" + NUMBER + r")(?P<date>\s+(?:ngày|NGÀY|ngay|NGAY)\s+.*)?$")
_DATE = re.compile(r"ngay\s*(?:(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})\s*nam\s*(?P<y>\d{4})|(?P<slash>\d{1,2}/\d{1,2}/\d{4}))\s*$")
_PREAMBLE = re.compile(r"^(?:can cu|xet de nghi|theo de nghi|dieu 1[\.:])")
_ARTICLE = re.compile(r"^dieu \d{1,3}[\.:]")


@dataclass
class TitleLine:
    kind: str  # "Nghị quyết"
    title: str  # "Nghị quyết về trách nhiệm đóng góp … tỉnh Nghệ An"
    issuer: str  # "Hội đồng nhân dân tỉnh Nghệ An"; "" when the next line names none
    number: str  # "73/2021/QH14" when the title line states it ("… số 73/2021/QH14 ngày …")
    date: str  # dd/mm/yyyy, likewise


def read_title_line(lines: list[str]) -> TitleLine | None:
    """The identity a header-less copy gives on its first lines, or None when it is not one."""
    if not lines:
        return None
    first = collapse_spaces(lines[0].strip("*_# "))
    kind = _opening_kind(first)
    if kind is None:
        return None
    subject = first[len(kind) :].strip()
    number, day = "", ""
    own = _OWN_NUMBER.search(subject)
    if own:
        day_match = _DATE.search(fold(own.group("date") or ""))
        if own.group("date") and not day_match:
            own = None  # "… số 5 ngày làm việc": no number of this document
        else:
            number, day = normalize_number(own.group("number")), date_of(day_match) if day_match else ""
            subject = subject[: own.start()].strip()
    second = collapse_spaces(lines[1]) if len(lines) > 1 else ""
    issuer = _issuer_line(second)
    if len(subject.split()) < 2 or first.endswith(("?", "!")) or (first.endswith(".") and not issuer):
        return None  # a sentence, unless the issuer's line under it makes it a title
    if not (issuer or number or _reads_as(kind, lines)):
        return None
    return TitleLine(kind, titled(kind, _as_written(subject.rstrip("."))), issuer, number, day)


def _opening_kind(line: str) -> str | None:
    """The kind a title line opens with ("Thông tư liên tịch hướng dẫn …" → Thông tư liên tịch),
    written as a title writes it: capitalised, or the whole line in capitals."""
    words = line.split()
    for count in (4, 3, 2, 1):
        if len(words) <= count:
            continue
        opening = " ".join(words[:count])
        kind = kind_named(opening)
        if kind is not None and len(opening) > 3 and (opening == kind.name or opening == kind.name.upper()):
            return opening if opening == kind.name else kind.name
    return None


def _as_written(subject: str) -> str:
    """A title's words as running text writes them: a line in capitals or copied in lower case
    gets its names back ("tỉnh nghệ an" → "tỉnh Nghệ An"); a line already cased keeps its own."""
    if subject.isupper() or subject == subject.lower():
        cased = sentence_case(subject.upper())
        return cased[:1].lower() + cased[1:] if not (len(cased) > 1 and cased[1].isupper()) else cased
    return subject


def _issuer_line(line: str) -> str:
    """The issuer a line under a title names ("Uỷ ban nhân dân tỉnh long an" → "Uỷ ban nhân dân
    tỉnh Long An"; "Bộ trưởng bộ công thương" → "Bộ Công Thương"; "Thủ tướng chính phủ"), or ""."""
    if not line or line.endswith((".", ";", ":", ",")) or re.search(r"\d{3,}", line):
        return ""
    line = re.split(r",?\s+(?:khóa|khoá|kỳ họp)\s", line, flags=re.I)[0]  # "… tỉnh tiền giang khóa vii": the council, not its term
    cased = sentence_case(line.upper())
    joint = re.split(r"\s[–-]\s", cased)
    if len(joint) > 1 and all(is_agency_name(name) or _known(name) for name in joint):
        return cased  # "Bộ Công an – Viện kiểm sát nhân dân tối cao – …": issued jointly
    if len(line.split()) > 14:
        return ""
    if _known(cased):
        return cased
    if _SPEAKER.match(fold(cased)):
        body = re.sub(r"^Bộ trưởng\s+(?=Bộ\s)", "", cased)  # a minister decides for the ministry
        return sentence_case(body.upper()) if body != cased else cased
    return cased if is_agency_name(cased) else ""


def _known(name: str) -> bool:
    return any(fold(name) == fold(code.name) for code in issuer_codes().values())


def _reads_as(kind: str, lines: list[str]) -> bool:
    """Does the text read as a document of this kind: legal bases or articles where a body opens,
    articles further on, or "<kind> này" opening a sentence of its own (its effect, its execution)?"""
    folded = [fold(collapse_spaces(line)) for line in lines[1:400]]
    if any(_PREAMBLE.match(line) for line in folded[:8]) or sum(bool(_ARTICLE.match(line)) for line in folded) >= 2:
        return True
    own = fold(kind) + " nay"
    return any(re.match(r"^(?:\d+\.\s+|dieu \d+\.\s+)?" + re.escape(own) + r"\s+(?:co hieu luc|thay the|duoc|ap dung)", line) for line in folded)
