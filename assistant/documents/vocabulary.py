"""The words of Vietnamese administrative writing, each list in one data file under assistant/data.

Document kinds (Nghị định, Kế hoạch…), issuer codes of document numbers (NĐ-CP → Chính phủ),
signature titles (KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG) and agency head words (Sở, Bộ, Ủy ban nhân
dân…) are read here once; every stage that needs one imports it from here, never repeats it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.text import fold


def _rows(name: str) -> list[list[str]]:
    text = resources.files("assistant.data").joinpath(name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class DocumentKind:
    name: str  # "Nghị định"
    level: str  # "national" or "any"
    abbreviations: tuple[str, ...]  # "NĐ", "ND"

    @property
    def header(self) -> str:
        """How the kind stands in capitals above the title: "NGHỊ ĐỊNH"."""
        return self.name.upper()


@lru_cache(maxsize=1)
def document_kinds() -> tuple[DocumentKind, ...]:
    return tuple(
        DocumentKind(name, level, tuple(a.strip() for a in abbreviations.split(",") if a.strip()))
        for name, level, abbreviations in _rows("document_kinds.tsv")
    )


@lru_cache(maxsize=1)
def kinds_by_header() -> dict[str, DocumentKind]:
    """Kinds by their header in capitals, accent-folded: "nghi dinh" → Nghị định."""
    return {fold(kind.header): kind for kind in document_kinds()}


def kind_named(text: str) -> DocumentKind | None:
    """The kind a word or abbreviation names, accent- and case-insensitively: "NĐ", "nghi dinh"."""
    key = fold(text).strip()
    for kind in document_kinds():
        if key == fold(kind.name) or key in (fold(a) for a in kind.abbreviations):
            return kind
    return None


@lru_cache(maxsize=1)
def kind_pattern() -> re.Pattern[str]:
    """Any kind name or abbreviation, folded, longest first: matches "thong tu lien tich", "nd".
    A one-letter code ("L" of "05/2021/L-CTN") names a kind only inside a number, never in a question."""
    names = {fold(k.name) for k in document_kinds()} | {fold(a) for k in document_kinds() for a in k.abbreviations if len(a) > 1}
    return re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?!\w)")


@dataclass(frozen=True)
class Issuer:
    code: str  # "CP"
    name: str  # "Chính phủ"
    level: str  # "national" / "province"


@lru_cache(maxsize=1)
def issuer_codes() -> dict[str, Issuer]:
    return {fold(code).upper(): Issuer(code, name, level) for code, name, level in _rows("issuers.tsv")}


@lru_cache(maxsize=1)
def signing_titles() -> tuple[str, ...]:
    return tuple(row[0] for row in _rows("signing_titles.txt"))


@dataclass(frozen=True)
class AgencyHead:
    words: str
    needs_name: bool  # "Sở" opens a name only before a capitalised word


@lru_cache(maxsize=1)
def agency_heads() -> tuple[AgencyHead, ...]:
    heads = [AgencyHead(words, needs == "yes") for words, needs in _rows("agency_heads.tsv")]
    return tuple(sorted(heads, key=lambda h: -len(h.words)))


@lru_cache(maxsize=1)
def sentence_openers() -> tuple[str, ...]:
    """Words that open a sentence, never a name (data/sentence_openers.txt), longest first."""
    return tuple(sorted((row[0] for row in _rows("sentence_openers.txt")), key=len, reverse=True))
