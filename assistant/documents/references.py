"""References to documents and to their units, as Vietnamese texts and their readers write them.

Documents cite each other by kind and number ("Nghị định số 116/2021/NĐ-CP", "Quyết định số
152/QĐ-TTg", "Thông tư liên tịch số 17/2007/TTLT-…"); staff shorten them ("NĐ 116", "TT 18/2021",
"QĐ 140"). Units are cited from the smallest up: "điểm a khoản 1 Điều 3". The same grammar reads
what replaces what in a document's closing articles and what a question points at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.documents.vocabulary import DocumentKind, kind_named, kind_pattern
from assistant.text import UPPER, fold, has_diacritics, nfc

# "116/2021/NĐ-CP", "18 /2021/TT-BYT", "152/QĐ-TTg", "18-NQ/TU", "01/2022/UBTVQH15"
NUMBER = r"\d{1,5}[a-z]?\s*[/\-]\s*(?:\d{4}\s*/\s*)?[A-ZĐ][\wĐđ&]*(?:\s*-\s*[\wĐđ&]+)*"
_NUMBER = re.compile(NUMBER)
_FOLDED_NUMBER = re.compile(r"(?<![\w/])(\d{1,5})(?:\s*/\s*(\d{4}))?(?:\s*/\s*([a-z][a-z0-9&\-]*))?(?![\w])")


def normalize_number(number: str) -> str:
    """ "18 /2021/TT-BYT" → "18/2021/TT-BYT"; compared after `number_key`."""
    return re.sub(r"\s+", "", number)


def number_key(number: str) -> str:
    return fold(normalize_number(number))


def number_parts(number: str) -> tuple[str, str | None]:
    """ "116/2021/NĐ-CP" → ("116", "2021"); "152/QĐ-TTg" → ("152", None)."""
    match = re.match(r"\s*(\d{1,5}[a-z]?)\s*[/\-]\s*(?:(\d{4})\s*/)?", number)
    return (match.group(1), match.group(2)) if match else (number, None)


@dataclass(frozen=True)
class DocumentReference:
    """A document named by kind and number (either may be partial, as users write them)."""

    kind: DocumentKind | None
    number: str  # as complete as written: "116/2021/NĐ-CP", "116/2021", "116"
    year: str | None
    text: str

    def matches(self, kind: str, number: str, year: int | None) -> bool:
        """Does an indexed document (kind, full number, year) answer to this reference?"""
        if self.kind is not None and fold(self.kind.name) != fold(kind):
            return False
        own, own_year = number_parts(number)
        asked, asked_year = number_parts(self.number)
        if not own or asked.lower() != own.lower():
            return False
        wanted = asked_year or self.year
        have = own_year or (str(year) if year else None)
        return not (wanted and have and wanted != have)


_CITED = re.compile(r"(?P<kind>[\wđĐ]+(?:\s+[a-zđ][\wđ]*){0,3})\s+(?:số\s+)?(?P<number>" + NUMBER + ")")
# "Luật Phòng, chống ma túy số 73/2021/QH14", "Bộ luật Hình sự số 100/2015/QH13": the kind, the
# document's name (capitalised), then its number after "số".
_NAMED_KIND = re.compile(r"(?<![\w])(Bộ luật|Luật|Pháp lệnh|Lệnh|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|Chỉ thị)\s+(?=[" + UPPER + r"])")
_CLAUSE_BREAK = re.compile(r"[;:()]|\.\s")


def cited_documents(text: str, positions: bool = False) -> list[Any]:
    """Documents a text cites in full form: "Nghị định số 116/2021/NĐ-CP", "Thông tư 18/2021/TT-BYT",
    "Luật Phòng, chống ma túy số 73/2021/QH14". With `positions`, (reference, where its number
    starts) pairs."""
    found: list[tuple[DocumentReference, int]] = []
    for match in _CITED.finditer(text):
        kind = _kind_ending(match.group("kind"))
        number = normalize_number(match.group("number"))
        if kind is None:
            named = _named_before(text, match.start("number"), number)
            if named is None:
                continue
            kind, start = named
            found.append((DocumentReference(kind, number, number_parts(number)[1], text[start : match.end()]), match.start("number")))
            continue
        found.append((DocumentReference(kind, number, number_parts(number)[1], match.group(0)), match.start("number")))
    return found if positions else [reference for reference, _ in found]


def _named_before(text: str, at: int, number: str) -> tuple[DocumentKind, int] | None:
    """The kind that opens a document's name before "số <number>", in the same clause, when the
    number's own code allows it (a "…/NĐ-CP" number is no Luật's)."""
    if not re.search(r"(?<!\w)số\s*:?\s*$", text[max(0, at - 8) : at]):
        return None
    window = text[max(0, at - 160) : at]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    window_start = max(0, at - 160) + (breaks[-1].end() if breaks else 0)
    opened = list(_NAMED_KIND.finditer(text, window_start, at))
    if not opened:
        return None
    kind = kind_named(opened[-1].group(1))
    if kind is None or not _number_allows(number, kind):
        return None
    return kind, opened[-1].start()


_LEGISLATURE = {"luat", "bo luat", "nghi quyet", "phap lenh"}  # what a "…/QH15" or "…/UBTVQH15" number may be


def _number_allows(number: str, kind: DocumentKind) -> bool:
    for code in re.split(r"[/\-]", number)[1:]:
        named = kind_named(re.sub(r"\d+$", "", code)) if not code.isdigit() else None
        if named is None or named.name == kind.name:
            continue
        if fold(named.name) in ("luat", "phap lenh") and fold(kind.name) in _LEGISLATURE:
            continue
        return False
    return True


def _kind_ending(words: str) -> DocumentKind | None:
    """The kind a phrase ends with: "Chương III của Nghị định" → Nghị định."""
    tokens = re.sub(r"\s+số$", "", words).split()
    for start in range(len(tokens)):
        kind = kind_named(" ".join(tokens[start:]))
        if kind is not None:
            return kind
    return None


# Kinds that a bare number after them names ("Nghị định 116", "QĐ 140"); after the others a number
# names a document only written in full ("Kế hoạch 44/KH-UBND"): "báo cáo 6 tháng" is a period.
_NUMBERED_KINDS = {"luat", "bo luat", "phap lenh", "lenh", "nghi dinh", "thong tu", "thong tu lien tich", "nghi quyet", "quyet dinh", "chi thi", "cong van",
                   "van ban hop nhat"}
_NOT_A_NUMBER = re.compile(r"\s*(?:thang|nam|ngay|gio|tuan|quy|%|lan|nguoi|xa|tinh|huyen)\b")


def asked_documents(folded_question: str) -> list[DocumentReference]:
    """Documents a (folded) question names by kind and number: "nghi dinh 116", "nd 116/2021",
    "tt 18/2021/tt-byt", "qd 140"."""
    found: list[DocumentReference] = []
    pattern = re.compile(kind_pattern().pattern + r"\s*(?:so\s*)?(?=\d)")
    for match in pattern.finditer(folded_question):
        number = _FOLDED_NUMBER.match(folded_question, match.end())
        if not number or (re.fullmatch(r"(?:19|20)\d\d", number.group(0).strip()) and not number.group(2)):
            continue  # "kế hoạch 2024" dates a plan; it is not its number
        kind = kind_named(match.group(1))
        full = "/" in number.group(0) or "-" in folded_question[number.end() : number.end() + 1]
        if kind is not None and fold(kind.name) not in _NUMBERED_KINDS and not full:
            continue
        if not full and _NOT_A_NUMBER.match(folded_question, number.end()):
            continue
        year = number.group(2)
        text = number.group(0).strip()
        found.append(DocumentReference(kind, text, year, folded_question[match.start() : number.end()]))
    return found + _named_then_numbered(folded_question, {r.number for r in found})


# "Luật Phòng, chống ma túy số 73/2021/QH14": the kind, the title, then "số" and the number in full.
_TITLED_NUMBER = re.compile(r"\bso\s*:?\s*(?=\d{1,5}\s*/\s*\d{4}\s*/\s*[a-z])")
TITLE_WORDS = 12  # words a title may hold between its kind and "số …"


def _named_then_numbered(folded_question: str, known: set[str]) -> list[DocumentReference]:
    found: list[DocumentReference] = []
    for match in _TITLED_NUMBER.finditer(folded_question):
        number = _FOLDED_NUMBER.match(folded_question, match.end())
        if number is None or number.group(0).strip() in known:
            continue
        before = folded_question[: match.start()]
        clause = max(before.rfind(mark) for mark in ";:()?.") + 1
        starts = [clause + m.start() for m in re.finditer(r"\S+", before[clause:])]
        lowest = starts[-TITLE_WORDS] if len(starts) >= TITLE_WORDS else clause
        kinds = list(kind_pattern().finditer(folded_question, lowest, match.start()))
        kind = kind_named(kinds[0].group(1)) if kinds else None  # the kind that opens the name
        if kind is None or not _number_allows(number.group(0).strip(), kind):
            continue
        found.append(DocumentReference(kind, number.group(0).strip(), number.group(2), folded_question[kinds[0].start() : number.end()]))
    return found


@dataclass(frozen=True)
class UnitReference:
    """ "điểm a khoản 1 Điều 3" → article "3", clause "1", point "a"."""

    article: str
    clause: str | None = None
    point: str | None = None

    @property
    def label(self) -> str:
        return f"Điều {self.article}"

    def describe(self) -> str:
        parts = [f"điểm {self.point}"] if self.point else []
        parts += [f"khoản {self.clause}"] if self.clause else []
        return " ".join(parts + [f"Điều {self.article}"])


_UNIT = re.compile(
    r"(?:(?:diem|d\.)\s*(?P<point>[a-z])\s*,?\s*)?(?:(?:khoan|k\.?)\s*(?P<clause>\d{1,3})\s*,?\s*(?:cua\s+)?)?(?:dieu|d\.?)\s*(?P<article>\d{1,3}[a-z]?)\b"
)


def asked_units(folded_question: str) -> list[UnitReference]:
    """Articles, clauses and points a (folded) question names."""
    return [
        UnitReference(m.group("article"), m.group("clause"), m.group("point"))
        for m in _UNIT.finditer(folded_question)
        if m.group(0).startswith(("dieu", "khoan", "diem")) or m.group("clause") or m.group("point")
    ]


# A unit of an appendix named by its code: "Mẫu số 05", "mẫu 47", "biểu số 03", "chỉ tiêu 504", "mã số 503"
# — not a count or an amount ("xét nghiệm máu 2 lần", "mức chi tiêu 1.500.000 đồng").
_NOT_A_CODE = r"(?![.,]\d|\s*(?:%|lần|lan|triệu|trieu|nghìn|nghin|ngàn|ngan|đồng|dong|ngày|ngay|tháng|thang|năm|nam|người|nguoi)\b)"
_ENTRY_ACCENTED = re.compile(r"\b(?:mẫu(?: số)?|biểu(?: mẫu)?(?: số)?|chỉ tiêu(?: mã số| số)?|mã số|mã chỉ tiêu)\s+(?P<code>\d{1,4}[a-zđ]?)\b" + _NOT_A_CODE)
# Typed without accents "mau", "chi tieu" are also "máu", "chi tiêu": a code then needs "số" or a leading zero.
_ENTRY_FOLDED = re.compile(r"\b(?:(?:mau|bieu(?: mau)?) so|mau(?= 0)|bieu(?= 0)|chi tieu (?:ma )?so|ma so|ma chi tieu)\s+(?P<code>\d{1,4}[a-z]?)\b" + _NOT_A_CODE)


def asked_entries(question: str) -> list[str]:
    """Codes of the forms and coded entries a question names, as written ("05", "504"); read with
    its accents when it has them."""
    pattern, text = (_ENTRY_ACCENTED, nfc(question).lower()) if has_diacritics(question) else (_ENTRY_FOLDED, fold(question))
    return list(dict.fromkeys(fold(m.group("code")) for m in pattern.finditer(text)))


def entry_code(section_label: str) -> str | None:
    """ "Phụ lục II, Mẫu số 05" → "5", "Phụ lục II, 504" → "504": the code an appendix unit is named
    by, without leading zeros (None for a unit named otherwise)."""
    last = section_label.split(", ")[-1]
    match = re.fullmatch(r"(?:(?:Mẫu|Biểu|Biểu mẫu|Phụ lục) số |Mẫu )?(\d{1,4})([a-zđ]?)", last)
    return entry_key(match.group(1) + match.group(2)) if match and ", " in section_label else None


def entry_key(code: str) -> str:
    """A code without leading zeros or marks: "05" → "5", "02đ" → "2d"."""
    digits = re.match(r"\d+", code)
    return fold(f"{int(digits.group(0))}{code[digits.end():]}" if digits else code)


def has_number(text: str) -> bool:
    return bool(_NUMBER.search(text))
