"""What each indexed document says it is, in its own words.

A question that names a document ("Luật 73/2021/QH14", "Pháp lệnh số 01/2022", "Luật Phòng, chống
ma túy năm 2025") is matched against the parsed metadata first. A parser can fail on a format it
never met — a header inside an OCR fence after "[Trang 1]", "Luật số:" instead of "Số:", a web copy
whose only header is its title line — and a reference judged missing from parsed fields alone
turned indexed documents into "… chưa có trong hệ thống". So before a document is declared
missing, its own text is asked: the lines that head it (letterhead, number line, kind and title,
place and date, wherever they sit) and the lines that state its adoption ("Luật này được Quốc hội
… thông qua ngày …"). Lines citing other documents ("Căn cứ …", "Theo đề nghị …") are not its own
identity and are left out. The file name, which the user chose, counts too: an archive named
"luat-73-2021-qh14…" holds Luật 73/2021 whatever its text's header looks like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.documents.references import DocumentReference, number_parts
from assistant.text import collapse_spaces, fold

HEAD_LINES = 30  # non-empty lines read from the top: the header block and title, before the body
HEAD_CHARS = 2400
# Where the header block ends: the preamble ("Căn cứ …", "Sau 05 năm thực hiện Nghị quyết số …"),
# the enacting formula ("Quốc hội ban hành …") or the body. Documents cited there are not this one.
_PREAMBLE = re.compile(
    r"^(?:can cu|xet|theo|thuc hien|sau|trong|de |nham|huong ung|thi hanh|kinh gui|tiep tuc|qua |"
    r"(?:quoc hoi|chinh phu|uy ban thuong vu quoc hoi|bo truong|thu tuong)\b.{0,60}\bban hanh\b)"
)
_BODY_START = re.compile(r"^(?:dieu\s+1\b|chuong\s+(?:i|1)\b|phan thu nhat\b|i\s*[\.\-]\s|quyet dinh:|quyet nghi:)")
PROSE_CHARS = 250  # a longer line is a paragraph of the body, not a line of the header block
# "Luật này được Quốc hội … thông qua ngày 10 tháng 12 năm 2025", "Nghị quyết này đã được …
# thông qua ngày …": the adoption statement of laws, ordinances and resolutions.
_ADOPTION = re.compile(r"\bnay (?:da )?duoc\b.{0,200}?\bthong qua\b.{0,40}?\bngay\b[^.;]{0,40}")
# A year of the document's own: in its date ("ngày 30 tháng 3 năm 2021", "30/3/2021") or its number
# ("73/2021/QH14") — not a title's horizon ("đến năm 2030", "thi hành Luật … năm 2025").
_DATE_YEAR = re.compile(
    r"\bngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+((?:19|20)\d\d)\b|\b\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*((?:19|20)\d\d)\b"
    r"|(?<![\w/])\d{1,5}\s*/\s*((?:19|20)\d\d)\s*/"
)


@dataclass(frozen=True)
class Identity:
    """A document's own identifying text, folded: its head, its adoption statement, its file name."""

    head: str
    adoption: str
    file_name: str

    @property
    def text(self) -> str:
        return f"{self.head} {self.adoption}"


def identity_of(source: str, text: str) -> Identity:
    lines: list[str] = []
    size = 0
    for raw in text[: HEAD_CHARS * 4].split("\n"):
        line = collapse_spaces(fold(raw).strip(" *_#>|`"))
        if not line or set(line) <= set("-=_*`~.—–"):
            continue
        if _BODY_START.match(line) or _PREAMBLE.match(line) or len(line) > PROSE_CHARS:
            break
        if len(lines) >= HEAD_LINES or size > HEAD_CHARS:
            break
        lines.append(line)
        size += len(line)
    # Only lines that say "thông qua" are read whole: folding every text of an archive at the first
    # question naming a document cost a second at 1,000 documents.
    adopted = [fold(line) for line in text.split("\n") if "thông qua" in line or "thong qua" in line or "THÔNG QUA" in line]
    adoption = " ".join(m.group(0) for line in adopted for m in _ADOPTION.finditer(line))
    return Identity(" \n".join(lines), collapse_spaces(adoption), " ".join(re.findall(r"[a-z0-9]+", fold(source))))


class DocumentIdentities:
    """Which indexed documents state a number, a title or a year as their own."""

    def __init__(self, full_texts: Mapping[str, str]) -> None:
        self.identities = {source: identity_of(source, text) for source, text in full_texts.items()}

    def stating_number(self, reference: DocumentReference, among: Iterable[str] | None = None) -> list[str]:
        """Documents whose own head (or file name) carries the number asked: "73/2021/QH14" in
        "Luật số: 73/2021/QH14" or in "LUẬT … SỐ 73/2021/QH14 NGÀY …"; a bare "01/2022" or "140"
        after the document's kind ("Pháp lệnh số: 01/2022/UBTVQH15", "QĐ 140" in "Số: 140/QĐ-TTg")."""
        number, year = number_parts(fold(reference.number))
        year = year or reference.year
        code = _code(fold(reference.number))
        digits = re.escape(number.lstrip("0") or "0")
        pattern = rf"\bso\s*:?\s*0*{digits}\s*[/\-]\s*"  # "Số: …", "Luật số: …", "LUẬT … SỐ …/…/QH… NGÀY …"
        if year:
            pattern += rf"{year}(?!\d)" + (rf"\s*/\s*{re.escape(code)}(?!\w)" if code else "")
        else:
            pattern += r"(?:(?:19|20)\d\d\s*/\s*)?" + (rf"{re.escape(code)}(?!\w)" if code else r"[a-z]")
        in_head = re.compile(pattern)
        in_name = _named_in_file(digits, year, code, reference)
        kind = fold(reference.kind.name) if reference.kind else ""
        found: list[str] = []
        for source in among if among is not None else self.identities:
            identity = self.identities.get(source)
            if identity is None:
                continue
            if kind and not _names_kind(identity, kind, reference):
                continue
            if any(_own_number(identity.head, m.start()) for m in in_head.finditer(identity.head)) or (
                in_name is not None and in_name.search(identity.file_name)
            ):
                found.append(source)
        return found

    def stating_year(self, source: str, year: int) -> bool:
        """Is `year` the document's own: in a date or number of its head, or its adoption date."""
        identity = self.identities.get(source)
        if identity is None:
            return False
        for match in _DATE_YEAR.finditer(identity.text):
            if str(year) in match.groups():
                return True
        return bool(re.search(rf"(?<![\w]){year}(?![\w])", identity.file_name))

    def states_kind(self, source: str, kind: str) -> bool:
        """Does the document head itself as this (folded) kind: a kind line ("LUẬT", "PHÁP LỆNH"),
        a number line of that kind ("Luật số: …"), or a web copy's title line opening with it?"""
        identity = self.identities.get(source)
        if identity is None:
            return False
        lines = _line_words(identity.head).split("\n")
        first = next((line for line in lines if line), "")
        return any(line == kind or line.startswith(f"{kind} so ") for line in lines) or first.startswith(f"{kind} ")

    def naming_title(self, phrase: str, among: Iterable[str] | None = None) -> list[str]:
        """Documents whose head holds the (folded) title phrase word for word, across the line
        breaks of a title set in capitals ("LUẬT" / "PHÒNG, CHỐNG MA TÚY")."""
        words = re.findall(r"\w+", fold(phrase))
        if not words:
            return []
        # From the start of a line: "Kế hoạch triển khai thi hành Luật Phòng, chống ma túy" cites the law.
        pattern = re.compile(r"(?m)^" + r"\s+".join(map(re.escape, words)) + r"(?!\w)")
        found = []
        for source in among if among is not None else self.identities:
            identity = self.identities.get(source)
            if identity is not None and pattern.search(_line_words(identity.head)):
                found.append(source)
        return found


def _named_in_file(digits: str, year: str | int | None, code: str, reference: DocumentReference) -> re.Pattern[str] | None:
    """How a file name carries the number asked: "luat-73-2021-…" (number and year), "qd-140-qd-ttg-…"
    (number and issuer code), "nd-105-…" (kind and number, from the start)."""
    issuer = r"\s*".join(re.escape(part) for part in re.findall(r"[a-z0-9]+", code))  # "qd-ttg" → "qd\s*ttg"
    if year and code:  # "luat-73-2021-qh14", "qd-140-qd-ttg-2024"
        return re.compile(rf"(?<!\w)0*{digits} (?:{year} {issuer}|{issuer} {year}|{year})(?!\w)")
    if year:  # "QĐ 140/2024": the issuer code, whatever it is, may stand between
        return re.compile(rf"(?<!\w)0*{digits} (?:[a-z]+ ){{0,2}}{year}(?!\w)")
    if code:
        return re.compile(rf"(?<!\w)0*{digits} {issuer}(?!\w)")
    forms = sorted(_kind_abbreviations(reference) | {fold(reference.kind.name)}) if reference.kind else []
    if forms:
        return re.compile(r"^(?:" + "|".join(re.escape(a) for a in forms) + rf") 0*{digits}(?!\w)")
    return None


def _kind_abbreviations(reference: DocumentReference) -> set[str]:
    """The asked kind's abbreviations, folded ("nd", "qd")."""
    return {fold(a) for a in reference.kind.abbreviations} if reference.kind else set()


def _code(folded_number: str) -> str:
    """The issuer code part of a full number: "73/2021/qh14" → "qh14"; "" when not written."""
    parts = [p for p in re.split(r"\s*/\s*", folded_number) if p]
    return parts[-1] if len(parts) >= 2 and not parts[-1].isdigit() else ""


def _names_kind(identity: Identity, kind: str, reference: DocumentReference) -> bool:
    """The document is of the kind asked: its head names the kind ("LUẬT", "PHÁP LỆNH"), or the
    number asked carries its code ("…/QH14" is a law's number), or its file name starts with it."""
    words = " ".join(re.findall(r"\w+", identity.head))
    if re.search(rf"(?<!\w){re.escape(kind)}(?!\w)", words):
        return True
    abbreviations = _kind_abbreviations(reference)
    code = _code(fold(reference.number))
    if code and any(code.startswith(a) or f"-{a}" in code for a in abbreviations):
        return True
    return identity.file_name.startswith((kind, *abbreviations)) if abbreviations else identity.file_name.startswith(kind)


def _line_words(head: str) -> str:
    """The head's lines as words only, one line per line."""
    return "\n".join(" ".join(re.findall(r"\w+", line)) for line in head.split(" \n"))


# "… sửa đổi, bổ sung một số điểm của Thông tư liên tịch số 17/2007/…", "Kế hoạch thi hành Luật …
# số …": a title that names another document's number, not its own.
_CITING = re.compile(r"\b(?:cua|theo|tai|sua doi|bo sung|thi hanh|huong dan|thay the|bai bo|can cu|quy dinh chi tiet)\b")


def _own_number(head: str, position: int) -> bool:
    line_start = head.rfind("\n", 0, position) + 1
    return not _CITING.search(head[line_start:position])
