"""Provinces: the national list (data/provinces.txt), found in any text accent-insensitively.

One compiled pattern serves every stage: reading a document's province, dropping a place from an
agency's name ("Công an tỉnh Sơn La"), and telling a place from a title phrase in a question.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from assistant.text import fold


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


def find_provinces(text: str) -> list[str]:
    """Province names in `text`, accent-insensitively, in order of first mention."""
    names: list[str] = []
    for match in province_pattern().finditer(fold(text)):
        name = _by_key()[match.group(0)]
        if name not in names:
            names.append(name)
    return names


def without_provinces(folded: str, mark: str = " ") -> str:
    """Folded text with every province name replaced by `mark`."""
    return province_pattern().sub(mark, folded)
