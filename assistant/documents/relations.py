"""What a document says it does to other documents: replaces, repeals, ends or amends them.

Closing articles state it in a few shapes (Luật Ban hành văn bản QPPL, Điều 154): "<văn bản này>
thay thế …", "bãi bỏ …", "Các văn bản sau đây hết hiệu lực …: a) … b) …", "Luật Phòng, chống ma
túy số 73/2021/QH14 đã được sửa đổi, bổ sung một số điều theo Luật số 81/2025/QH15 hết hiệu lực kể
từ ngày Luật này có hiệu lực thi hành", and an amending title "sửa đổi, bổ sung một số điều của
…". A document's history ("… đã được sửa đổi, bổ sung theo Luật số …") names the documents that
amended the one concerned, not documents this one ends; "thuốc thay thế" or "được sửa đổi, bổ
sung, thay thế" name no document and state nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.documents.effect import this_document
from assistant.documents.references import cited_documents, number_parts
from assistant.documents.vocabulary import document_kinds
from assistant.text import collapse_spaces, fold


def _kinds() -> str:
    return "|".join(sorted((re.escape(fold(k.name)) for k in document_kinds()), key=len, reverse=True))


@dataclass
class Relation:
    """What this document says it does to another: "replaces", "repeals", "ceases" (the other
    ceases to have effect), "amends" — from when, in the document's own words; "-part" when it
    concerns only some articles of the other."""

    relation: str
    kind: str
    number: str
    when: str
    text: str


_AMENDS = re.compile(r"\bsửa đổi, bổ sung\b(?:, bãi bỏ)?(?: một số (?:điều|điểm|khoản))?(?: của)?", re.I)
_REPEALS = re.compile(r"\b[Bb]ãi bỏ\b")
_CEASES = re.compile(r"\bhết hiệu lực\b")
# "… đã được sửa đổi, bổ sung một số điều theo Luật số 81/2025/QH15, Luật số …": the history of the
# document named before it, up to the verb that says what happens to that document.
_HISTORY = re.compile(r"(?:đã\s+)?được\s+sửa\s+đổi,?\s+bổ\s+sung(?:\s+một\s+số\s+(?:điều|khoản|điểm))?\s+(?:theo|bởi|tại)\s+", re.I)
_HISTORY_END = re.compile(r"\s(?:hết hiệu lực|được thay thế|bị bãi bỏ|bãi bỏ|thay thế)\b|[;:]|\.(?:\s|$)")
_PART = re.compile(r"(?:[Đđ]iều|[Kk]hoản|[Đđ]iểm|Chương|Mục|Phụ lục|một số điều)\s+[\w,\s]{0,40}(?:của|tại)\s+")
_LIST_ITEM = re.compile(r"^(?:[-+•]\s|[a-zđ]\)\s)")
# "<Văn bản này> thay thế …", "… có hiệu lực … và thay thế Quyết định số …", "… và thay thế:" + a list
# (folded): the sentence's subject is this document and what it replaces is a document, not a
# therapy ("điều trị thay thế").
_REPLACES = re.compile(
    this_document().pattern + r"(?:\s+thay the\b|[^.;]{0,160}?(?:\s+va|,)\s+thay the(?:\s+cho)?(?=\s*:|\s*$|\s+(?:" + _kinds() + r")\b))"
)


def relations(body: list[str], title: str, effective: str) -> list[Relation]:
    """What the closing articles (and an amending title) say this document does to others."""
    found: list[Relation] = []
    statements = _statements(body)
    if _AMENDS.search(title):
        statements.insert(0, (title, []))
    seen: set[tuple[str, str, tuple[str, str | None]]] = set()
    for intro, items in statements:
        relation, scope = _relation_of(intro)
        if relation is None:
            continue
        when = _when(intro, effective)
        for text in [scope] + items if scope else items:
            history = [(m.start(), _history_end(text, m.end())) for m in _HISTORY.finditer(text)]
            for reference, position in cited_documents(text, positions=True):
                if reference.kind is None or any(start <= position < end for start, end in history):
                    continue
                key = (relation, reference.kind.name, number_parts(reference.number))
                if key in seen:
                    continue
                seen.add(key)
                partial = bool(re.search(_PART.pattern + re.escape(reference.text), text))
                found.append(Relation(relation + ("-part" if partial else ""), reference.kind.name, reference.number, when, collapse_spaces(text)[:400]))
                if relation == "amends":
                    break  # "sửa đổi, bổ sung … của Thông tư liên tịch số 17/2007 …": the one amended
    return found


def _history_end(text: str, start: int) -> int:
    end = _HISTORY_END.search(text, start)
    return end.start() if end else len(text)


def _relation_of(intro: str) -> tuple[str | None, str]:
    """(relation, the text naming the documents it applies to, when the intro itself names them).
    An article amending another law ("Điều 54. Sửa đổi, bổ sung, bãi bỏ một số điều của Luật …")
    amends it, whatever it repeals inside it."""
    heading = re.sub(r"^Điều\s+\d+[a-zđ]?\s*[\.:]\s*", "", intro)
    amends = _AMENDS.search(heading)
    if amends and amends.start() < 3 and not re.search(r"được\s+sửa đổi", heading[: amends.start()]):
        return "amends", heading[amends.end() :]
    if match := _REPLACES.search(fold(intro)):
        return "replaces", intro[match.end() :]
    if match := _REPEALS.search(intro):
        return "repeals", intro[match.end() :]
    if match := _CEASES.search(intro):
        return "ceases", intro[: match.start()]
    if amends and not re.search(r"được\s+sửa đổi", heading) and (this_document().search(fold(heading[: amends.start()])) or amends.start() < 40):
        return "amends", heading[amends.end() :]
    return None, ""


def _when(intro: str, effective: str) -> str:
    explicit = re.search(r"(?:từ|kể từ)\s+ngày\s+(\d{1,2}) tháng (\d{1,2}) năm (\d{4})", intro)
    if explicit:
        return f"{int(explicit.group(1)):02d}/{int(explicit.group(2)):02d}/{explicit.group(3)}"
    return effective if re.search(r"có hiệu lực|kể từ ngày ký", intro) else ""


def _statements(body: list[str]) -> list[tuple[str, list[str]]]:
    """Body sentences that may state effect, each with the list under it ("… sau đây hết hiệu
    lực …:" + "a) Nghị định số …"). The preamble's "Căn cứ …" cites documents in force instead."""
    statements: list[tuple[str, list[str]]] = []
    preamble = True
    listing = False
    for line in body:
        text = line.strip()
        if preamble and re.match(r"^(Điều\s+1\b|I[\.\-]\s|1\.\s|Chương\s+I\b)", text):
            preamble = False
        if preamble:
            continue
        if listing and not re.match(r"^(?:\d+\.\s|Điều\s+\d|Chương\s)", text):
            if _LIST_ITEM.match(text) or not statements[-1][1]:
                statements[-1][1].append(text)
            else:  # a line the page break split from its item
                statements[-1][1][-1] += " " + text
            continue
        statements.append((text, []))
        listing = text.rstrip().endswith(":")
    return [s for s in statements if _relation_of(s[0])[0] is not None or _AMENDS.search(s[0])]
