"""pyvi word segmentation ("Sở Y tế" → "Sở Y_tế"): BM25 and some bi-encoders work on words, not syllables."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from pyvi import ViTokenizer

    return ViTokenizer


def segment(text: str) -> str:
    if not text.strip():
        return text
    return _tokenizer().tokenize(text)
