"""A document's number proven by another indexed document that cites it.

A copy without its header (a web copy of a council resolution) does not state its own number, but
the documents issued under it cite it in full: "Căn cứ Nghị quyết số 233/2008/NQ-HĐND ngày
23/7/2008 của Hội đồng nhân dân tỉnh Nghệ An, khoá XV - Kỳ họp thứ 13 về Trách nhiệm đóng góp và
chế độ trợ cấp …". The number is taken only when the link is unambiguous: the citation names the
same kind, the same issuer and the opening words of the same title, its date (or year) agrees
with what the document states, one number only is cited that way, and no other indexed document
answers to the same citation. Only legal bases ("Căn cứ …", "Thực hiện …") are read: a closing "thay thế
Quyết định số … về <the same title>" cites the older document a newer one of that title replaces.
Otherwise the number stays unknown: a wrong one would name another document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.documents.references import NUMBER, cited_documents, number_parts
from assistant.documents.vocabulary import issuer_codes
from assistant.text import fold

SUBJECT_WORDS = 30  # a citation repeats the whole title (up to this many words)
_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan"}
_NUMBER = re.compile(NUMBER)
_BASIS = re.compile(r"^[\W_]*(?:can cu|thuc hien|theo)\b")
_OPENING = re.compile(r"^(?:ve viec|ve|quy dinh ve)\s+")


@dataclass(frozen=True)
class CitedIdentity:
    number: str
    date: str  # dd/mm/yyyy as cited, "" when the citation gives none
    by: str  # the source whose text cites it
    text: str  # the citation, as written


def cited_identities(documents: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, CitedIdentity]:
    """For each indexed document without a number, the number other indexed texts cite it by,
    when one citation proves it (see the module's note)."""
    wanted = {source: _key(entry) for source, entry in documents.items() if not entry.number and entry.doc_type and entry.issuer}
    wanted = {source: key for source, key in wanted.items() if key is not None}
    if not wanted:
        return {}
    found: dict[str, dict[str, CitedIdentity]] = {}
    claimed: dict[tuple[str, str], set[str]] = {}
    for by, text in texts.items():
        whole = _normal(fold(text))
        candidates = {s: key for s, key in wanted.items() if s != by and key[2] in whole}
        if not candidates:
            continue  # no title cited here: the citations are not read at all
        for reference, position in cited_documents(text, positions=True):
            line = fold(text[text.rfind("\n", 0, position) + 1 : position])
            if reference.kind is None or not _BASIS.match(line):
                continue
            number = _NUMBER.match(text, position)
            after = _normal(fold(text[number.end() if number else position : position + 400]))
            named = _normal(fold(reference.text))  # "Luật Phòng, chống ma túy số 73/2021/QH14": the title before the number
            by_code = _issuer_of(reference.number)
            for source, (kind, issuer, subject, year, day) in candidates.items():
                if fold(reference.kind.name) != kind or not (subject in after or subject in named):
                    continue
                if issuer not in after and issuer != by_code:
                    continue  # "của Hội đồng nhân dân tỉnh Nghệ An", or a "…/QH14" number: Quốc hội's
                if len(subject.split()) < 6 and (not year or number_parts(reference.number)[1] != str(year)):
                    continue  # a short title ("Luật phòng, chống ma túy") names a document only with its year
                cited_day = _cited_day(after)
                if (day and cited_day and cited_day != day) or (year and number_parts(reference.number)[1] not in (None, str(year))):
                    continue
                found.setdefault(source, {})[reference.number] = CitedIdentity(reference.number, cited_day, by, text[position : position + 300].split(";")[0])
                claimed.setdefault((kind, reference.number), set()).add(source)
    proven: dict[str, CitedIdentity] = {}
    for source, numbers in found.items():
        if len(numbers) == 1:
            identity = next(iter(numbers.values()))
            if claimed[(wanted[source][0], identity.number)] == {source}:
                proven[source] = identity
    return proven


def _key(entry: Any) -> tuple[str, str, str, int | None, str] | None:
    kind = fold(entry.doc_type)
    subject = _normal(fold(entry.title))
    subject = subject[len(kind) :].strip() if subject.startswith(kind) else subject
    subject = _OPENING.sub("", subject)
    words = subject.split()
    if len(words) < (2 if entry.year else 6):
        return None  # too short a title to tell one document from another (with its year, a law's name does)
    issuer = _normal(fold(entry.issuer))
    return kind, issuer, " ".join(words[:SUBJECT_WORDS]), entry.year, entry.date if re.fullmatch(r"\d{2}/\d{2}/\d{4}", entry.date or "") else ""


def _issuer_of(number: str) -> str:
    """The issuer a number's code names, folded ("73/2021/QH14" → "quoc hoi"), or ""."""
    codes = issuer_codes()
    for code in reversed(re.split(r"[/\-]", number)[1:]):
        found = codes.get(fold(re.sub(r"\d+$", "", code)).upper())
        if found is not None:
            return _normal(fold(found.name))
    return ""


def _normal(folded: str) -> str:
    words = re.findall(r"[\w/]+", folded)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def _cited_day(after: str) -> str:
    """The date right after a cited number ("… ngày 23/7/2008 …", "ngày 23 tháng 7 năm 2008")."""
    match = re.match(r"^ngay\s+(?:(\d{1,2})/(\d{1,2})/(\d{4})|(\d{1,2}) thang (\d{1,2}) nam (\d{4}))", after)
    if not match:
        return ""
    d, m, y = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (match.group(4), match.group(5), match.group(6))
    return f"{int(d):02d}/{int(m):02d}/{y}"
