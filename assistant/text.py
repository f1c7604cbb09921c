"""Vietnamese text primitives shared by every stage: NFC, accent folding, tone placement.

Users type without accents and documents mix old ("hoà", "uỷ") and new ("hòa", "ủy") tone
placement, so every comparison goes through `fold` or `unify_tones`; what is shown to the
user is always the document's own text.
"""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)

# Tone placement differs between conventions only on open "oa", "oe", "uy" syllables:
# "hoà"/"hòa", "khoẻ"/"khỏe", "uỷ"/"ủy". Canonical form here puts the mark on the first vowel.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# The tone must end the syllable: in NFD a dot below comes before a circumflex or breve ("luật" is
# "lua" + dot below + circumflex + "t"), and moving it would make "lụât", "họăc", "tụê".
_SECOND_VOWEL_TONE = re.compile(
    r"(?i)(?<![qQ])([ou])([ae]|y)([" + _TONE_MARKS + r"])(?![\w\u0300-\u036f])"
)


# Vietnamese capital letters, for regex classes. (The range "À-Ỹ" would also take the lower-case
# letters that Unicode interleaves with them: "ạ", "đ"…)
UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    return _WS.sub(" ", text).strip()


def unify_tones(text: str) -> str:
    """Move tone marks to the modern position: "hoà" → "hòa", "uỷ" → "ủy", "thuỷ" → "thủy"."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _SECOND_VOWEL_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


class _Marks(dict[int, "int | None"]):
    """`str.translate` table dropping combining marks (category Mn), each code point tested once:
    fold runs over every document at load and over the passages a question touches, and a Python
    test per character was three times slower (seconds on an archive of hundreds of documents)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        self[code] = kept
        return kept


_DROP_MARKS = _Marks()


def fold(text: str) -> str:
    """Accent-insensitive, lower-case key: "Sở Y tế" → "so y te", "Đắk" → "dak"."""
    return unicodedata.normalize("NFD", text.lower()).translate(_DROP_MARKS).replace("đ", "d")


_LOANWORD_E = re.compile(r"\b([a-z]{3,}[bcdfghklmnpqrstvxz])e\b")


def loanword_stems(folded: str) -> str:
    """International names lose their silent final "e" in Vietnamese spelling ("Ketamine" /
    "Ketamin", "Heroine" / "Heroin", "Acetone" / "Aceton"), and documents and users use either:
    one key for both. No Vietnamese syllable of five letters or more ends in consonant + "e",
    so Vietnamese words are untouched ("nghe", "khe", "the" are shorter)."""
    return _LOANWORD_E.sub(r"\1", folded)


def tokens(folded: str) -> list[str]:
    """Words, keeping "10/12" and "40%" whole but splitting "kế hoạch/văn bản"."""
    out: list[str] = []
    for token in re.findall(r"[\w/%]+", loanword_stems(folded)):
        out.extend([token] if re.search(r"\d", token) else [t for t in token.split("/") if t])
    return out


_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def is_syllable(folded: str) -> bool:
    """Could this (folded) word be one Vietnamese syllable? "methamphetamin", "ketamin", "mdma"
    cannot: they are international names, spelled the same in every document that uses them."""
    return bool(_SYLLABLE.fullmatch(folded))


_STOP_ENDING = re.compile(r"(?:p|t|c|ch)$")


def lost_tone(word: str) -> bool:
    """A syllable ending in p, t, c or ch takes the sắc or nặng tone: without either ("chât",
    "xuat") an OCR or a typist lost its marks, and only its letters can be compared."""
    return bool(_STOP_ENDING.search(fold(word))) and not {"\u0301", "\u0323"} & set(unicodedata.normalize("NFD", word))


def comparable(text: str) -> str:
    """Key for "does this text contain that phrase": NFC, lower, spaces collapsed, tones unified."""
    return collapse_spaces(unify_tones(nfc(text)).lower())


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def capitalize_first(text: str) -> str:
    """Upper-case the first letter only ("sở Y tế" → "Sở Y tế"); str.capitalize would lower the rest."""
    return text[:1].upper() + text[1:]


def without_tone(text: str) -> str:
    """The letters with their vowel shapes but no tone mark: "Điều" → "Điêu", "số" → "sô" (what
    an OCR keeps of a syllable whose mark it lost)."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text) if c not in _TONE_MARKS))


def tones_optional(pattern: str) -> str:
    """A regex source with every toned letter outside a character class made optional in its tone
    ("ngày" → "ng[àa]y"): a whole vocabulary pattern still matches an OCR that lost some marks."""
    out: list[str] = []
    in_class = escaped = False
    for c in pattern:
        if escaped:
            out.append(c)
            escaped = False
        elif c == "\\":
            out.append(c)
            escaped = True
        elif in_class:
            out.append(c)
            in_class = c != "]"
        elif c == "[":
            out.append(c)
            in_class = True
        else:
            bare = without_tone(c)
            out.append(f"[{c}{bare}]" if bare != c else c)
    return "".join(out)


def tone_optional(word: str) -> str:
    """A regex for `word` with or without each tone mark: "Điều" → "Đi[ềê]u", so a heading whose
    mark an OCR lost is still the heading."""
    return "".join(f"[{c}{without_tone(c)}]" if without_tone(c) != c else re.escape(c) for c in word)
