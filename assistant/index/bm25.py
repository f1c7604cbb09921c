"""Stage 3b: lexical index (bm25s) over syllables and syllable pairs, with and without accents.

Dense retrieval with a small multilingual model misses exact administrative wording ("xác định
tình trạng nghiện", "04/7/2023"); BM25 catches it. Vietnamese words are one to four syllables, so
syllables plus adjacent pairs ("y", "tế", "y_tế") match compound words as a word segmenter would —
at a hundredth of pyvi's cost, which matters for an archive of hundreds of documents. Users also
type without accents, so a second field indexes the same folded ("so y te" → "so_y", "y_te").
"""

from __future__ import annotations

import re
from pathlib import Path

import bm25s
import numpy as np

from assistant.text import fold, loanword_stems, unify_tones

_TOKEN = re.compile(r"[\w/]+", re.UNICODE)


def word_tokens(text: str) -> list[str]:
    """Syllables and adjacent pairs, lower-cased, tone placement unified: "Sở Y tế" → ["sở", "y",
    "tế", "sở_y", "y_tế"]."""
    return _syllables_and_pairs(unify_tones(text).lower())


def folded_tokens(text: str) -> list[str]:
    """Accent-free syllables and adjacent pairs: "Sở Y tế" → ["so", "y", "te", "so_y", "y_te"]."""
    return _syllables_and_pairs(fold(text))


def _syllables_and_pairs(normalised: str) -> list[str]:
    syllables = [t for t in _TOKEN.findall(loanword_stems(normalised).replace("_", " ")) if t]
    return syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]


class LexicalIndex:
    """Two bm25s indexes over the same node list; scores are summed."""

    def __init__(self, node_ids: list[str], words: bm25s.BM25, folded: bm25s.BM25) -> None:
        self.node_ids = node_ids
        self._words = words
        self._folded = folded
        self._position = {node_id: i for i, node_id in enumerate(node_ids)}

    @classmethod
    def build(cls, node_ids: list[str], texts: list[str]) -> "LexicalIndex":
        words = bm25s.BM25()
        words.index([word_tokens(t) or ["∅"] for t in texts], show_progress=False)
        folded = bm25s.BM25()
        folded.index([folded_tokens(t) or ["∅"] for t in texts], show_progress=False)
        return cls(node_ids, words, folded)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._words.save(str(folder / "words"))
        self._folded.save(str(folder / "folded"))
        (folder / "node_ids.txt").write_text("\n".join(self.node_ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        node_ids = (folder / "node_ids.txt").read_text(encoding="utf-8").split("\n")
        words = bm25s.BM25.load(str(folder / "words"))
        folded = bm25s.BM25.load(str(folder / "folded"))
        return cls(node_ids, words, folded)

    def scores(self, query: str, allowed: set[str] | None = None) -> np.ndarray:
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.node_ids), dtype=np.float32)
            mask[[self._position[n] for n in allowed if n in self._position]] = 1.0
        total = _field_scores(self._words, word_tokens(query), len(self.node_ids), mask)
        return total + _field_scores(self._folded, folded_tokens(query), len(self.node_ids), mask)

    def search(self, query: str, top_k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        scores = self.scores(query, allowed)
        top = np.argpartition(-scores, top_k - 1)[:top_k] if top_k < len(scores) else np.arange(len(scores))
        order = top[np.argsort(-scores[top])]
        return [(self.node_ids[i], float(scores[i])) for i in order if scores[i] > 0]


def _field_scores(index: bm25s.BM25, tokens: list[str], size: int, mask: np.ndarray | None) -> np.ndarray:
    known = [t for t in tokens if t in index.vocab_dict]
    if not known:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(index.get_scores(known, weight_mask=mask), dtype=np.float32)
