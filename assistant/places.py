"""Provinces: the national list (data/provinces.txt), found in any text accent-insensitively.

One compiled pattern serves every stage: reading a document's province, dropping a place from an
agency's name ("Công an tỉnh Sơn La"), and telling a place from a title phrase in a question.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from assistant.text import fold, has_diacritics, unify_tones


@lru_cache(maxsize=1)
def known_provinces() -> tuple[str, ...]:
    text = resources.files("assistant.data").joinpath("provinces.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _by_key() -> dict[str, str]:
    return {fold(name): name for name in known_provinces()}


@lru_cache(maxsize=1)
def province_pattern() -> re.Pattern[str]:
    """Any province name in folded text, longest first ("Hà Nam" is not cut from "Hà Nam Ninh")."""
    names = sorted(_by_key(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


@lru_cache(maxsize=1)
def _accented_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    by_accented = {unify_tones(name).lower(): name for name in known_provinces()}
    names = sorted(by_accented, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)"), by_accented


def find_provinces(text: str) -> list[str]:
    """Province names in `text`, in order of first mention. Text written with accents is matched
    with them ("diễn biến" is not Điện Biên); text typed without accents, accent-insensitively."""
    names: list[str] = []
    found: list[tuple[int, str]] = []
    folded = fold(text)
    aligned = len(folded) == len(text)  # NFC Vietnamese folds letter for letter
    for match in province_pattern().finditer(folded):
        typed = text[match.start() : match.end()] if aligned else match.group(0)
        if not has_diacritics(typed):
            found.append((match.start(), _by_key()[match.group(0)]))
    if has_diacritics(text):
        pattern, by_accented = _accented_pattern()
        found.extend((m.start(), by_accented[m.group(0)]) for m in pattern.finditer(unify_tones(text).lower()))
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names


def without_provinces(folded: str, mark: str = " ") -> str:
    """Folded text with every province name replaced by `mark`."""
    return province_pattern().sub(mark, folded)
