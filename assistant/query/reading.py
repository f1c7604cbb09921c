"""How the assistant reads a question: chat paste → plain question → expanded → accented.

A staff member who pastes "[09:41] Anh Tuấn: ae oi SYT SL phai lam j 🙏" must get the same
answer as one who types "Sở Y tế Sơn La phải làm gì?". `Reading.changed` lets the UI show
"Câu hỏi được hiểu là: …" whenever the text it searched for differs from what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.query.abbreviations import expand_abbreviations
from assistant.query.diacritics import DiacriticRestorer, types_accents
from assistant.query.nonsense import NotAQuestion, refuse_nonsense
from assistant.query.paste import clean_paste, drop_vocatives
from assistant.text import collapse_spaces, nfc

__all__ = ["NotAQuestion", "Reading", "read_question"]


@dataclass(frozen=True)
class Reading:
    original: str  # exactly as received
    text: str  # the question the assistant searches for
    changed: bool  # text differs from the original (NFC, spaces collapsed)


def read_question(raw: str, restorer: DiacriticRestorer | None) -> Reading:
    """NFC → clean_paste → expand_abbreviations → drop the group addressed ("… vậy mọi người?") →
    restore diacritics (if needed) → collapse spaces.

    Raises `NotAQuestion` for input with nothing to search for ("12345", "None", bare HTML),
    judged on the typed text and again on what is left after the chat paste is cleaned."""
    original = raw if isinstance(raw, str) else ""
    baseline = collapse_spaces(nfc(original))
    refuse_nonsense(baseline)
    text = clean_paste(original)
    refuse_nonsense(text)
    typed_accents = types_accents(text)  # judged before abbreviations add accented words
    text = expand_abbreviations(text)
    text = drop_vocatives(text)
    if restorer is not None and restorer.can_restore(text):
        text = restorer.restore(text, typed_accents=typed_accents)
    text = collapse_spaces(nfc(text))
    return Reading(original=original, text=text, changed=text != baseline)
