"""The end of a document (Nghị định 30/2020/NĐ-CP): "Nơi nhận:" and the signature block.

A signature block is the authority line and the signer's title ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG /
PHÓ THỦ TƯỚNG", "T/M BAN THƯỜNG VỤ / BÍ THƯ") followed by the signer's name. The titles are
data/signing_titles.txt; what the block says is read once here, for the structure parser (where
the body ends) and for metadata (who signed, on whose behalf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.documents.vocabulary import signing_titles
from assistant.text import LOWER, UPPER, collapse_spaces, fold

_AUTHORITY = r"(?:T/?M|KT|TL|TUQ|Q)\s*\.?\s*"
_RECIPIENTS = re.compile(r"^[*_\s]*noi nhan\b")  # folded: OCR drops the accents ("Noi nhận")
_NAME = re.compile(rf"^(?:[{UPPER}][{LOWER}]+)(?:\s+[{UPPER}][{LOWER}]+){{1,4}}$")
_RANK = re.compile(r"^(?:Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|Trung tá|Thiếu tá|PGS\.?\s*TS\.?|GS\.?\s*TS\.?|TS\.?|ThS\.?|BS\.?)\s+")


@lru_cache(maxsize=1)
def _titles() -> re.Pattern[str]:
    titles = "|".join(re.escape(t) for t in sorted(signing_titles(), key=len, reverse=True))
    return re.compile(rf"^(?P<authority>{_AUTHORITY})?(?P<title>(?:{titles})(?:\s+[{UPPER}][{UPPER}\s,\-]*)?)$")


def signature_title(line: str) -> re.Match[str] | None:
    """ "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "TM. ỦY BAN NHÂN DÂN" — a whole line in capitals."""
    text = collapse_spaces(line.strip("*_ "))
    if not text or not text.replace(".", "").replace("/", "").replace(" ", "").isupper():
        return None
    return _titles().match(text)


def is_recipients_line(line: str) -> bool:
    return bool(_RECIPIENTS.match(fold(line[:20])))


def is_closing_line(line: str, started: bool) -> bool:
    """Where a document's body ends: "Nơi nhận:", or a signature title — with "TM./KT./TL." any
    time, bare ("BỘ TRƯỞNG") only once the body has started (the same words head a preamble)."""
    if _RECIPIENTS.match(fold(line[:20])):
        return True
    match = signature_title(line)
    return bool(match) and (bool(match.group("authority")) or started)


@dataclass
class Signature:
    authority: str  # "TM. CHÍNH PHỦ" — on whose behalf
    title: str  # "KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG"
    name: str  # "Vũ Đức Đam"


def signatures(lines: list[str]) -> list[Signature]:
    """Every signature block, in order: a run of title lines, then the signer's name within the
    next few lines (a stamp or blank lines may sit between)."""
    found: list[Signature] = []
    index = 0
    while index < len(lines):
        titles: list[str] = []
        while index < len(lines) and (match := signature_title(lines[index])):
            titles.extend(_split_titles(collapse_spaces(lines[index].strip("*_ "))))
            index += 1
        if not titles:
            index += 1
            continue
        name = ""
        for candidate in lines[index : index + 4]:
            text = _RANK.sub("", collapse_spaces(candidate.strip("*_ ")))
            if _NAME.match(text):
                name = text
                break
        authority = next((t for t in titles if re.match(r"T/?M\b", t)), "")
        shown = [t for t in titles if t != authority]
        found.append(Signature(authority, " / ".join(shown), name))
    return found


def _split_titles(line: str) -> list[str]:
    """ "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG" (a table cell) → "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG"."""
    parts = re.split(rf"\s+(?={_AUTHORITY}[{UPPER}])|(?<=THỦ TƯỚNG)\s+(?=PHÓ\b)|(?<=BỘ TRƯỞNG)\s+(?=THỨ\b)|(?<=CHỦ TỊCH)\s+(?=PHÓ\b)", line)
    return [p.strip() for p in parts if p.strip()]
