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
from assistant.text import LOWER, UPPER, collapse_spaces, fold, tone_optional

_AUTHORITY = r"(?:T/?M|KT|TL|TUQ|Q)\s*\.?\s*"
_RECIPIENTS = re.compile(r"^[*_\s]*noi nhan\b")  # folded: OCR drops the accents ("Noi nhận")
_NAME = re.compile(rf"^(?:[{UPPER}][{LOWER}]+)(?:\s+[{UPPER}][{LOWER}]+){{1,4}}$")
_RANK = re.compile(  # with or without their tone marks ("Đại tương": an OCR lost one)
    "^(?:" + "|".join(tone_optional(r) for r in ("Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá", "Trung tá", "Thiếu tá"))
    + r"|PGS\.?\s*TS\.?|GS\.?\s*TS\.?|TS\.?|ThS\.?|BS\.?)\s+"
)


@lru_cache(maxsize=1)
def _titles() -> re.Pattern[str]:
    """The titles, accent-folded: an OCR that lost a mark ("THU TƯỚNG") still prints the title."""
    titles = "|".join(re.escape(fold(t)) for t in sorted(signing_titles(), key=len, reverse=True))
    return re.compile(rf"^(?P<authority>{_AUTHORITY.lower()})?(?P<title>(?:{titles})(?:\s+[a-z][a-z\s,\-]*)?)$")


def signature_title(line: str) -> re.Match[str] | None:
    """ "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "TM. ỦY BAN NHÂN DÂN" — a whole line in capitals
    (matched folded: the groups hold the folded text)."""
    text = collapse_spaces(line.strip("*_ "))
    if not text or not text.replace(".", "").replace("/", "").replace(" ", "").isupper():
        return None
    return _titles().match(fold(text))


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


CLUSTER_GAP = 8  # other lines (a recipients list, a stamp) a signature block may be split by


def signatures(lines: list[str]) -> list[Signature]:
    """The signature blocks that close a body, each with its signer. A block is a run of title
    lines ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG") and a name; a joint document has one
    per issuer, often in two columns, so the titles come first and the names after them (paired in
    order when their counts agree). The last cluster of titles and names in the text is the one."""
    kinds: list[tuple[int, str]] = []  # (index, "title" | "name" | "caps")
    for index, line in enumerate(lines):
        text = collapse_spaces(line.strip("*_ "))
        if signature_title(text):
            kinds.append((index, "title"))
        elif _NAME.match(_RANK.sub("", text)) and not text.startswith(("-", "+")):
            kinds.append((index, "name"))
        elif text.isupper() and len(text) > 3:
            kinds.append((index, "caps"))
    clusters: list[list[tuple[int, str]]] = []
    for item in kinds:
        if clusters and item[0] - clusters[-1][-1][0] <= CLUSTER_GAP:
            clusters[-1].append(item)
        else:
            clusters.append([item])
    cluster = next((c for c in reversed(clusters) if any(kind == "title" for _, kind in c) and any(kind == "name" for _, kind in c)), None)
    if cluster is None:
        return []
    groups: list[list[str]] = []
    names: list[str] = []
    complete = True  # the current block already has its signer's own title (not only "TM./KT.")
    first_title = next(i for i, (_, kind) in enumerate(cluster) if kind == "title")
    for index, kind in cluster[first_title:]:
        text = collapse_spaces(lines[index].strip("*_ "))
        if kind == "title":
            for title in _split_titles(text):
                authority = bool(re.match(_AUTHORITY + r"[" + UPPER + "]", title))
                if not groups or (authority and complete):
                    groups.append([])
                groups[-1].append(title)
                complete = not authority
        elif kind == "caps" and groups and not complete:
            groups[-1].append(text)  # "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO" under "KT. VIỆN TRƯỞNG"
        elif kind == "name":
            names.append(_RANK.sub("", text))
    if len(names) == len(groups):
        return [_signature(group, name) for group, name in zip(groups, names)]
    if len(groups) == 1:
        return [_signature(groups[0], names[0])]
    return [_signature([], name) for name in names]


def _signature(titles: list[str], name: str) -> Signature:
    authority = next((t for t in titles if re.match(r"T/?M\b", t)), "")
    return Signature(authority, " / ".join(t for t in titles if t != authority), name)


def _split_titles(line: str) -> list[str]:
    """ "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG" (a table cell) → "KT. THỦ TƯỚNG", "PHÓ THỦ TƯỚNG"."""
    parts = re.split(rf"\s+(?={_AUTHORITY}[{UPPER}])|(?<=THỦ TƯỚNG)\s+(?=PHÓ\b)|(?<=BỘ TRƯỞNG)\s+(?=THỨ\b)|(?<=CHỦ TỊCH)\s+(?=PHÓ\b)", line)
    return [p.strip() for p in parts if p.strip()]
