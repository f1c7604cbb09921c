"""A message that asks several things, split into the questions it asks.

Staff ask two things at once: "… do ai ký và có hiệu lực từ khi nào?", "Trong bao lâu …? Vùng
miền núi, hải đảo thì sao?", "luật 2025 có hiệu lực từ ngày nào, luật 73 hết hiệu lực chưa". An
answer to the first part only is half an answer. A part is a sentence or clause with a question
word of its own; a clause without one belongs to the part before it ("…, theo Luật 2021?"). A part
that only adds a case to the one before ("Vùng miền núi thì sao?") asks the same thing of that case.
A part that names no document, body, province or year takes those of the others.
"""

from __future__ import annotations

import re

from assistant.documents.vocabulary import kind_pattern
from assistant.text import collapse_spaces, fold

# Words that make a clause a question of its own (accent-free).
_ASKS = re.compile(
    r"\b(?:ai|gi|nao|bao nhieu|bao lau|may|chua|khong|thi sao|ra sao|the nao|nhu the nao|o dau|dau|khi nao|bao gio|la gi)\b"
)
_TAIL = re.compile(r"\s*\b(?:thi sao|thi the nao|thi nhu the nao|thi ra sao|ra sao)\s*$")
_CLAUSE_BREAK = re.compile(r",\s+|;\s+|\s+và\s+|\s+va\s+")
MAX_PARTS = 3
_LINKING = frozenset("gom nhung cac la co duoc phai do bao thi se da".split())  # words left before a question word


def question_parts(text: str) -> list[str]:
    """The questions a message asks, in order; one element when it asks one thing."""
    sentences = [s.strip() for s in re.split(r"\?+", text) if s.strip()]
    joined: list[tuple[str, bool]] = []  # (part, opens a sentence)
    for sentence in sentences:
        for index, part in enumerate(_clauses(sentence)):
            joined.append((collapse_spaces(part), index == 0))
    if len(joined) < 2:
        return [collapse_spaces(text)]
    resolved = [joined[0][0]]
    for part, opens in joined[1:MAX_PARTS]:
        tail = _TAIL.search(fold(part))
        if tail and len(fold(part)) == len(part):
            # "Vùng miền núi, hải đảo thì sao?": the question before, of this case
            resolved.append(f"{resolved[-1]} {part[: tail.start()].strip()}")
        elif not opens and not _names_own_subject(part):
            # "… do ai ký và có hiệu lực từ khi nào": the clause's subject is the first clause's
            resolved.append(f"{_subject(resolved[0])} {part}")
        else:
            resolved.append(part)
    return [p if p.endswith("?") else f"{p}?" for p in resolved]


def _clauses(sentence: str) -> list[str]:
    pieces = _CLAUSE_BREAK.split(sentence)
    separators = _CLAUSE_BREAK.findall(sentence)
    parts: list[str] = []
    current = pieces[0]
    for separator, piece in zip(separators, pieces[1:]):
        if _ASKS.search(fold(piece)) and _ASKS.search(fold(current)) and len(piece.split()) >= 2:
            parts.append(current)
            current = piece
        else:
            current = f"{current}{separator}{piece}"
    parts.append(current)
    return parts


def _subject(part: str) -> str:
    """A clause without its question words: what it is about ("Giám sát điện tử là gì" → "Giám
    sát điện tử"; "Pháp lệnh … do ai ký" → "Pháp lệnh …")."""
    folded = fold(part)
    if len(folded) != len(part):
        return part
    kept = part
    for match in reversed(list(re.finditer(r"\b(?:do ai|la gi|ai|gi|nao|bao nhieu|bao lau|khi nao|bao gio|the nao|ra sao|o dau)\b.*$", folded))):
        kept = part[: match.start()]
    words = kept.rstrip(" ,;").split()
    while words and fold(words[-1]) in _LINKING:  # "Hồ sơ gồm những [gì]" → "Hồ sơ"
        words.pop()
    return " ".join(words) or part


# Words that make "… đó", "… nay" an adverb of time or place, not a noun pointed back to: "sau đó",
# "trong đó", "khi đó", "do đó", "hiện nay", "đến nay", "năm nay".
_ADVERBIAL = frozenset("sau truoc trong khi do hien den nam luc tu vi the nhu ngay thang hom bay tai".split())


def points_back(part: str) -> bool:
    """ "chỉ tiêu này được phân tổ theo gì", "danh mục đó gồm …": the clause opens with a noun
    pointed back to (accented "này/đó/ấy", or unaccented "nay"; never "do ai", by whom)."""
    match = re.match(r"((?:\w+\s+){0,2}?)(\w+)\s+(?:này|nay|đó|ấy)\s", part.lstrip().lower())
    return bool(match) and fold(match.group(2)) not in _ADVERBIAL


def _names_own_subject(part: str) -> bool:
    """ "luật 73 hết hiệu lực chưa", "Sở Tài chính làm gì", "chỉ tiêu này …": a clause opening with a
    document, a body or a noun pointed back to is about that, not about the first clause's subject."""
    folded = fold(part).lstrip()
    kind = kind_pattern().match(folded)
    # "chỉ tiêu này được phân tổ theo gì", "cơ quan đó …": a noun pointed back to is a subject of its own
    return bool(kind) or points_back(part) or bool(re.match(r"(?:so|bo|ubnd|uy ban|cong an|ban|cuc|vien|toa an|hoi dong)\s", folded))
