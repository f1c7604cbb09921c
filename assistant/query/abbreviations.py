"""Expand chat spellings ("j", "ko", "ntn") and administrative abbreviations ("SYT", "BĐBP").

Documents spell agencies out ("Sở Y tế", "Bộ Chỉ huy Bộ đội Biên phòng") while staff type "SYT",
"BCH BĐBP", "ko", "j"; retrieval only matches once both say the same words. The table lives in
data/abbreviations.tsv; each row may carry context rules so that ambiguous forms ("k", "CA", "SL",
"v") are expanded only where their reading is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.places import known_provinces
from assistant.text import fold, has_diacritics, nfc

__all__ = ["Abbreviation", "abbreviation_table", "document_abbreviations", "expand_abbreviations"]

TABLE_PATH = Path(__file__).parent.parent / "data" / "abbreviations.tsv"

# Tokens keep "/", "&" and inner "-": "b/c", "GD&ĐT", "LĐ-TB&XH", and "23/KH-UBND" stays one
# token, so document numbers are never expanded.
_TOKEN = re.compile(r"[\w&/]+(?:-[\w&/]+)*")
_NUMBER = re.compile(r"^\d[\d/.,:-]*$")
_QUESTION_WORDS = {"gi", "j", "sao", "nao", "ai", "dau", "ntn", "khong", "ko", "k", "hok", "chua",
                   "the nao", "bn", "bao nhieu", "may", "roi"}
_VOCATIVES = {"mn", "ae", "ad", "ac", "a", "anh", "chi", "em", "oi", "nhe", "nha", "moi", "nguoi"}  # people addressed, folded
_AGENCY_WORDS = {"so", "syt", "ubnd", "tinh", "huyen", "ca", "cat", "cong an", "an", "bdbp", "vp",
                 "hdnd", "mttq", "bch", "bo", "doi", "phong", "ban", "tp", "thanh pho"}
# Words a province abbreviation follows, as typed (accents matter: "văn bản AG" is not "Ban AG"):
# "SYT ĐB", "tỉnh ĐB", "ở ĐB", "SL và ĐB".
_BEFORE_PLACE = {"sở", "so", "tỉnh", "tinh", "huyện", "huyen", "an", "ở", "o", "tại", "tai", "của", "cua", "và", "va", "với", "voi"}


@dataclass(frozen=True)
class Abbreviation:
    form: str
    expansion: str
    kind: str  # "teencode" | "admin"
    rules: tuple[str, ...]


@dataclass(frozen=True)
class _Ctx:
    typed: str
    prev: str | None
    read_prev: str | None
    next: str | None
    last: bool
    before: str
    unaccented: bool
    admin_forms: frozenset[str]


def _is_number(tok: str | None) -> bool:
    return tok is not None and bool(_NUMBER.match(tok))


def _near_agency(c: _Ctx) -> bool:
    if c.typed.isupper():
        return True
    near = [t for t in (c.prev, c.next) if t]
    return any(fold(t) in _AGENCY_WORDS or t.lower() in c.admin_forms for t in near)


def _no_syllable(typed: str) -> bool:
    """ "cscnbb", "xlvphc", "vks": three letters or more and no vowel spell no Vietnamese word, so
    typed in lower case they are still the abbreviation ("ca", "tu", "kh" are words or too short)."""
    return len(typed) >= 3 and typed.isalpha() and not re.search(r"[aeiouy]", fold(typed))


RULES: dict[str, Callable[[_Ctx], bool]] = {
    "upper": lambda c: c.typed.isupper() or _no_syllable(c.typed),
    "lower": lambda c: c.typed.islower(),
    "not_before_digit": lambda c: not _is_number(c.next),
    "not_after_digit": lambda c: not _is_number(c.prev),
    "question_end": lambda c: c.last,
    "after_question_word": lambda c: c.prev is not None and fold(c.prev) in _QUESTION_WORDS,
    "in_question": lambda c: any(w in _QUESTION_WORDS for w in fold(c.before).split()),
    "unaccented": lambda c: c.unaccented,
    "near_agency": _near_agency,
    "after_agency": lambda c: any(p is not None and (p.lower() in _BEFORE_PLACE or p.lower() in c.admin_forms) for p in (c.prev, c.read_prev)),
    "not_vocative": lambda c: c.next is None or fold(c.next) != "oi",
    # "ND 116", "QD 140": initials before a number (not a year) are a document's kind, not a province
    "not_before_number": lambda c: not (_is_number(c.next) and not re.fullmatch(r"(?:19|20)\d\d", c.next or "")),
    "doc": lambda c: True,  # a tag: the documents themselves use this abbreviation
}


@lru_cache(maxsize=1)
def abbreviation_table() -> tuple[Abbreviation, ...]:
    """Rows of data/abbreviations.tsv, read once; unknown rule names are an error in the data."""
    rows = []
    for line in TABLE_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, expansion, kind, *rest = (nfc(x.strip()) for x in line.split("\t"))
        rules = tuple(r for r in (rest[0] if rest else "").split("+") if r)
        unknown = [r for r in rules if r not in RULES]
        if unknown or kind not in ("teencode", "admin"):
            raise ValueError(f"bad abbreviation row: {line!r}")
        rows.append(Abbreviation(form, expansion, kind, rules))
    return tuple(rows + _province_initials({r.form.lower() for r in rows}))


def _province_initials(taken: set[str]) -> list[Abbreviation]:
    """ "SL" → Sơn La, "ĐB" → Điện Biên … for every province, typed in capitals after an agency
    word or a place preposition ("SYT SL", "ở ĐB"), unless two
    provinces share the initials (Thái Nguyên, Tây Ninh) or the table already uses the form."""
    by_form: dict[str, list[str]] = {}
    for name in known_provinces():
        words = [w for w in re.findall(r"\w+", name)]
        for initials in {"".join(w[0] for w in words).upper(), fold("".join(w[0] for w in words)).upper()}:
            by_form.setdefault(initials, []).append(name)
    return [
        Abbreviation(form, names[0], "admin", ("upper", "after_agency", "not_before_number"))
        for form, names in sorted(by_form.items())
        if len(set(names)) == 1 and len(form) >= 2 and form.lower() not in taken
    ]


@lru_cache(maxsize=1)
def _index() -> tuple[dict[tuple[str, ...], list[Abbreviation]], int, frozenset[str]]:
    by_key: dict[tuple[str, ...], list[Abbreviation]] = {}
    for row in abbreviation_table():
        by_key.setdefault(tuple(row.form.lower().split()), []).append(row)
    longest = max((len(k) for k in by_key), default=1)
    admin = frozenset(r.form.lower() for r in abbreviation_table() if r.kind == "admin")
    return by_key, longest, admin


def document_abbreviations() -> dict[str, str]:
    """Abbreviations the documents use themselves (PCMT, ANTT, BLO…): index passages in both forms."""
    return {r.form: r.expansion for r in abbreviation_table() if "doc" in r.rules}


def _drop_overlap(expansion: str, before: str) -> str:
    """"Văn phòng BLO" → "Văn phòng liên lạc…", not "Văn phòng Văn phòng liên lạc…"."""
    exp = expansion.split()
    prev = fold(before).split()
    for k in range(min(len(exp) - 1, len(prev)), 0, -1):
        if [fold(w).strip(",") for w in exp[:k]] == prev[-k:]:
            return " ".join(exp[k:])
    return expansion


def _ends_sentence(text: str, toks: list[re.Match[str]], after: int) -> bool:
    """Nothing but people addressed ("… vay mn?", "… z ae") until a "?", "!", "." or the end."""
    k = after
    while k < len(toks) and fold(toks[k].group().lower()) in _VOCATIVES:
        k += 1
    return k == len(toks) or bool(re.search(r"[?!.]", text[toks[after - 1].end():toks[k].start()]))


def expand_abbreviations(text: str) -> str:
    """Replace whole-token abbreviations whose context rules hold; everything else is kept."""
    text = nfc(text)
    by_key, longest, admin = _index()
    toks = list(_TOKEN.finditer(text))
    unaccented = not has_diacritics(text)
    out: list[str] = []
    pos = i = 0
    read_prev: str | None = None  # the previous word as it reads after expansion: "vs AG" is "với AG"
    while i < len(toks):
        done = False
        for n in range(min(longest, len(toks) - i), 0, -1):
            span = toks[i:i + n]
            if any(text[a.end():b.start()].strip() for a, b in zip(span, span[1:])):
                continue  # multi-word forms only across plain spaces
            rows = by_key.get(tuple(t.group().lower() for t in span))
            if not rows:
                continue
            typed = " ".join(t.group() for t in span)
            ctx = _Ctx(
                typed=typed,
                prev=toks[i - 1].group() if i > 0 else None,
                read_prev=read_prev,
                next=toks[i + n].group() if i + n < len(toks) else None,
                last=_ends_sentence(text, toks, i + n),
                before=" ".join(t.group() for t in toks[:i]),
                unaccented=unaccented,
                admin_forms=admin,
            )
            row = next((r for r in rows if all(RULES[name](ctx) for name in r.rules)), None)
            if row is None:
                continue
            start, end = span[0].start(), span[-1].end()
            out.append(text[pos:start])
            out.append(_drop_overlap(row.expansion, text[:start]))
            pos, i, done = end, i + n, True
            read_prev = row.expansion.split()[-1]
            break
        if not done:
            read_prev = toks[i].group()
            i += 1
    out.append(text[pos:])
    return "".join(out)
