"""Names and titles printed in capitals ("UỶ BAN NHÂN DÂN TỈNH SƠN LA") or copied in lower case
("Hội đồng nhân dân tỉnh nghệ an"), written as running text writes them.

Vietnamese capitalises the first word of a title, a body's head word and the name after it ("Sở
Y tế", "Bộ Công an", "Ủy ban nhân dân tỉnh Sơn La"), place names and the name of a law ("Luật
Phòng, chống ma túy"); codes keep their capitals. A known issuer is written as the issuer table
spells it ("Bộ Công Thương").
"""

from __future__ import annotations

import re
from typing import Any

from assistant.documents.vocabulary import agency_heads, issuer_codes, kind_named
from assistant.places import find_provinces
from assistant.text import capitalize_first, fold

_NAME_OPENERS = r"(?:^|(?<=của )|(?<=và )|(?<=, )|(?<=– )|(?<=- )|(?<=chủ tịch )|(?<=bộ trưởng )|(?<=giám đốc )|(?<=thủ trưởng )|(?<=cục trưởng )|(?<=thống đốc ))"
_NOT_A_NAME = r"(?!luật\b|trưởng\b|hành\b|phận\b)"  # "bộ luật", "bộ trưởng", "ban hành", "bộ phận": no name follows


def sentence_case(upper: str) -> str:
    """ "UỶ BAN NHÂN DÂN TỈNH SƠN LA" → "Uỷ ban nhân dân tỉnh Sơn La", "SỞ Y TẾ" → "Sở Y tế", "BỘ
    CÔNG AN – VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO" → "Bộ Công an – Viện kiểm sát nhân dân tối cao",
    "BỘ TRƯỞNG BỘ CÔNG THƯƠNG" → "Bộ trưởng Bộ Công Thương". Codes keep their capitals."""
    text = " ".join(word if re.search(r"\d|/", word) else word.lower() for word in upper.split(" "))
    heads: dict[str, Any] = {}
    for head in agency_heads():
        heads.setdefault(head.words.lower(), head)
    pattern = re.compile(_NAME_OPENERS + r"(" + "|".join(map(re.escape, heads)) + r") " + _NOT_A_NAME + r"(\w)")

    def named(match: re.Match[str]) -> str:  # "sở y tế" → "Sở Y tế", "ủy ban nhân dân" → "Ủy ban nhân dân"
        head = heads[match.group(1)]
        following = match.group(2).upper() if head.needs_name else match.group(2)
        return f"{head.words[:1].upper()}{head.words[1:]} {following}"

    text = pattern.sub(named, text)
    text = re.sub(r"(?<!\w)(luật|bộ luật|pháp lệnh) (\w)", lambda m: m.group(1).capitalize() + " " + m.group(2).upper(), text)
    text = re.sub(r"(?<!\w)(chính phủ|quốc hội|việt nam)(?!\w)", lambda m: m.group(1)[:1].upper() + m.group(1)[1:].replace(" nam", " Nam"), text)
    text = re.sub(r"(?<!\w)tỉnh (ủy|uỷ)(?!\w)", lambda m: "Tỉnh " + m.group(1), text)
    # Roman numerals: "KHÓA XV", "CHƯƠNG II"; "vi", "xi", "li" are words too, so a two-letter one only after its unit.
    text = re.sub(r"\b(?:(khóa|khoá|chương|phần|mục|lục|kỳ|thứ) )?([ivxlc]+)\b", lambda m: m.group(0) if len(m.group(2)) < 3 and not m.group(1) else m.group(0)[: -len(m.group(2))] + m.group(2).upper(), text)
    text = capitalize_first(text)
    for name in find_provinces(text):
        text = re.sub(re.escape(name.lower()), name, text, flags=re.I)
    for code in issuer_codes().values():  # the issuer's own spelling when it is a known body
        if fold(text) == fold(code.name):
            return code.name
    return text


def titled(kind: str, subject: str) -> str:
    """ "Nghị định quy định …" from the kind and the words under it, as running text writes them."""
    subject = re.split(r"\s\((?:Kèm theo|Ban hành kèm)", subject)[0].strip()
    subject = sentence_case(subject) if subject.isupper() else subject
    if fold(subject).startswith("ban hanh ") and kind_named(subject.split()[2]) is None and (named := _named_kind(subject[len("Ban hành "):])):
        return named  # "Quyết định ban hành Kế hoạch X" is known as "Kế hoạch X"
    return f"{kind} {lower_first(subject)}".strip() if subject else ""


def _named_kind(text: str) -> str | None:
    """ "Kế hoạch tổ chức …" when the phrase opens with a document kind."""
    for words in (2, 1, 3):
        kind = kind_named(" ".join(text.split()[:words]))
        if kind is not None:
            return capitalize_first(text)
    return None


def lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():
        return text  # an acronym or proper name
    return text[:1].lower() + text[1:]
