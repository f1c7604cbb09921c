"""Restore Vietnamese diacritics to accent-less questions from the corpus's own vocabulary.

Staff type "so y te phai lam gi"; a general restorer (pyvi) says "Số y tế", "mà tưy". The
indexed documents already tell which accented form each folded syllable takes in which
neighbourhood ("sở y tế", "ma túy", "công an tỉnh"), so restoration is a small n-gram model
fitted on them, decoded with Viterbi over the candidate forms of each folded syllable. Only
syllables the corpus has never seen go to pyvi, and only if pyvi returns a real syllable.
The model is rebuilt on every ingest and saved as JSON beside the index.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.text import fold, has_diacritics, nfc, unify_tones

__all__ = ["DiacriticRestorer", "SEED_PATH"]

SEED_PATH = Path(__file__).parent / "data" / "question_words.txt"
FORMAT = "diacritics/1"

_PIECES = re.compile(r"\w+|\W+")
# Gaps that end an n-gram chain: sentence punctuation and paragraph breaks. Commas, hyphens and
# single line breaks (PDF wrapping) do not, so "phòng, chống ma túy" still gives "phòng chống".
_BREAK = re.compile(r"[.;:!?()\[\]{}\"“”…]|\n\s*\n")
_MAX_SYLLABLE = 7  # "nghiêng"
_VOWELS = set("aeiouy")


def _form(token: str) -> str:
    return unify_tones(token.lower())


def _chains(text: str) -> Iterator[list[tuple[str, bool]]]:
    """Runs of alphabetic tokens not split by sentence punctuation or numbers.

    Each token comes with `mid`: True when only spaces or a comma precede it inside the chain,
    which is where capitalisation says something about the word rather than the sentence.
    """
    chain: list[tuple[str, bool]] = []
    gap = ""
    for piece in _PIECES.findall(nfc(text)):
        if not (piece[0].isalnum() or piece[0] == "_"):
            if _BREAK.search(piece) and chain:
                yield chain
                chain = []
            gap = piece
            continue
        if not piece.isalpha():
            if chain:
                yield chain
            chain, gap = [], ""
            continue
        chain.append((piece, bool(chain) and gap.strip() in ("", ",")))
        gap = ""
    if chain:
        yield chain


def _apply_case(typed: str, form: str, proper: bool) -> str:
    if len(typed) > 1 and typed.isupper():
        return form.upper()
    if typed[:1].isupper() or (proper and typed.islower()):
        return form[:1].upper() + form[1:]
    return form


@lru_cache(maxsize=1)
def _known_syllables() -> frozenset[str]:
    """Syllables of pyvi's word list: a check that a pyvi guess is Vietnamese at all."""
    try:
        import pyvi

        path = Path(pyvi.__file__).parent / "models" / "words.txt"
        text = path.read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(_form(s) for s in text.split())


@lru_cache(maxsize=2048)
def _pyvi_accents(folded_chain: str) -> tuple[str, ...] | None:
    try:
        from pyvi import ViUtils
    except ImportError:
        return None
    try:
        out = tuple(_form(w) for w in nfc(ViUtils.add_accents(folded_chain)).split())
    except Exception:  # noqa: BLE001 - pyvi is a best-effort fallback
        return None
    return out if len(out) == len(folded_chain.split()) else None


class DiacriticRestorer:
    """N-gram (1–3) counts of accented forms per folded syllable sequence, decoded with Viterbi."""

    max_candidates = 8
    typed_bonus = math.log(20.0)  # an accent-typing user's unaccented "ma", "an" are meant
    seed_weight = 2

    def __init__(self, use_pyvi: bool = True) -> None:
        self.use_pyvi = use_pyvi
        self._uni: dict[str, int] = {}
        self._bi: dict[tuple[str, str], int] = {}
        self._tri: dict[tuple[str, str, str], int] = {}
        self._proper: frozenset[str] = frozenset()
        self._index()

    # ---- fitting and persistence -------------------------------------------------------

    def fit(self, texts: Iterable[str], *, seed: bool = True, max_trigrams: int = 500_000) -> DiacriticRestorer:
        """Count forms in `texts` (plus the built-in question-word seed); replaces earlier counts."""
        uni: Counter[str] = Counter()
        bi: Counter[tuple[str, str]] = Counter()
        tri: Counter[tuple[str, str, str]] = Counter()
        caps: Counter[str] = Counter()  # capitalised mid-sentence occurrences per form pair
        seen: Counter[str] = Counter()

        def add(text: str, weight: int) -> None:
            for chain in _chains(text):
                forms = [_form(tok) for tok, _ in chain]
                for _ in range(weight):
                    uni.update(forms)
                    bi.update(zip(forms, forms[1:]))
                    tri.update(zip(forms, forms[1:], forms[2:]))
                for k, ((tok, mid), form) in enumerate(zip(chain, forms)):
                    if not mid or (len(tok) > 1 and tok.isupper()):
                        continue
                    if k + 1 < len(chain):
                        pair = f"{form} {forms[k + 1]}"
                        seen[pair] += 1
                        caps[pair] += tok[0].isupper() and chain[k + 1][0][0].isupper()

        for text in texts:
            add(text, 1)
        if seed and SEED_PATH.exists():
            for line in SEED_PATH.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    add(line, self.seed_weight)
        if len(tri) > max_trigrams:  # keep large corpora's model small: drop singletons
            tri = Counter({k: c for k, c in tri.items() if c > 1})
        self._uni, self._bi, self._tri = dict(uni), dict(bi), dict(tri)
        # Pairs written capitalised mid-sentence ("Sơn La", "Tuyên Quang") are names.
        self._proper = frozenset(f for f, n in seen.items() if " " in f and n >= 2 and caps[f] >= 0.9 * n)
        self._index()
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "unigrams": self._uni,
            "bigrams": {" ".join(k): c for k, c in self._bi.items()},
            "trigrams": {" ".join(k): c for k, c in self._tri.items()},
            "proper": sorted(self._proper),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], use_pyvi: bool = True) -> DiacriticRestorer:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        self = cls(use_pyvi=use_pyvi)
        self._uni = {k: int(c) for k, c in data["unigrams"].items()}
        self._bi = {tuple(k.split()): int(c) for k, c in data["bigrams"].items()}  # type: ignore[misc]
        self._tri = {tuple(k.split()): int(c) for k, c in data["trigrams"].items()}  # type: ignore[misc]
        self._proper = frozenset(data.get("proper", ()))
        self._index()
        return self

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, use_pyvi: bool = True) -> DiacriticRestorer:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")), use_pyvi=use_pyvi)

    def _index(self) -> None:
        by_fold: dict[str, list[str]] = {}
        for form in self._uni:
            by_fold.setdefault(fold(form), []).append(form)
        self._cands = {
            f: sorted(forms, key=lambda x: -self._uni[x])[: self.max_candidates] for f, forms in by_fold.items()
        }
        self._total = sum(self._uni.values())
        self._vocab = len(self._uni)
        # per context: how many n-grams continue it, and how many distinct words do
        self._context1: Counter[str] = Counter()
        self._followers1: Counter[str] = Counter()
        for (v, _), c in self._bi.items():
            self._context1[v] += c
            self._followers1[v] += 1
        self._context2: Counter[tuple[str, str]] = Counter()
        self._followers2: Counter[tuple[str, str]] = Counter()
        for (u, v, _), c in self._tri.items():
            self._context2[(u, v)] += c
            self._followers2[(u, v)] += 1

    # ---- restoring -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._vocab

    def can_restore(self, text: str) -> bool:
        """True when some word is typed without diacritics and the corpus knows accented forms of it."""
        for tok in _PIECES.findall(nfc(text)):
            if tok.isalpha() and not has_diacritics(tok):
                forms = self._cands.get(tok.lower(), ())
                if any(f != tok.lower() for f in forms):
                    return True
        return False

    def restore(self, text: str, *, typed_accents: bool | None = None) -> str:
        """`text` with diacritics restored on unaccented words; everything else kept as typed.

        `typed_accents` says the user types diacritics (then an unaccented word that is a real
        form, like "ma" or "an", is probably meant as typed); by default it is guessed from the
        share of words that carry diacritics.
        """
        text = nfc(text)
        pieces = _PIECES.findall(text)
        if typed_accents is None:
            alpha = [p for p in pieces if p.isalpha()]
            typed_accents = bool(alpha) and sum(has_diacritics(p) for p in alpha) >= 0.5 * len(alpha)
        out = list(pieces)
        for chain in self._piece_chains(pieces):
            for idx, word in zip(chain, self._decode([pieces[i] for i in chain], typed_accents)):
                out[idx] = word
        return "".join(out)

    def _piece_chains(self, pieces: list[str]) -> Iterator[list[int]]:
        chain: list[int] = []
        for i, piece in enumerate(pieces):
            if not (piece[0].isalnum() or piece[0] == "_"):
                if _BREAK.search(piece) and chain:
                    yield chain
                    chain = []
            elif piece.isalpha():
                chain.append(i)
            elif chain:
                yield chain
                chain = []
        if chain:
            yield chain

    def _candidates(self, tokens: list[str]) -> list[list[str]]:
        cands: list[list[str] | None] = []
        for tok in tokens:
            low = _form(tok)
            if has_diacritics(tok):
                cands.append([low])
            else:
                cands.append(self._cands.get(low) or None)
        unknown = [i for i, c in enumerate(cands) if c is None]
        guesses = self._pyvi([tokens[i] for i in range(len(tokens))], unknown) if unknown else {}
        return [c if c is not None else [guesses.get(i, _form(tokens[i]))] for i, c in enumerate(cands)]

    def _pyvi(self, tokens: list[str], unknown: list[int]) -> dict[int, str]:
        """pyvi's guesses for tokens the corpus lacks, kept only when they are real syllables."""
        if not self.use_pyvi:
            return {}
        guess = _pyvi_accents(" ".join(fold(t) for t in tokens))
        if guess is None:
            return {}
        known = _known_syllables()
        result = {}
        for i in unknown:
            typed, g = _form(tokens[i]), guess[i]
            plausible = len(typed) <= _MAX_SYLLABLE and _VOWELS & set(typed)
            if plausible and fold(g) == fold(typed) and g in known:
                result[i] = g
        return result

    def _logp(self, w: str, v: str | None, u: str | None) -> float:
        """Witten-Bell interpolated trigram: a context seen with few distinct followers ("cơ" →
        "quan", "sở") trusts its own counts, one seen with many ("có") backs off more."""
        p = (self._uni.get(w, 0) + 0.1) / (self._total + 0.1 * self._vocab + 1)
        if v is not None and (cv := self._context1.get(v, 0)):
            lam = cv / (cv + self._followers1[v])
            p = lam * self._bi.get((v, w), 0) / cv + (1 - lam) * p
            if u is not None and (cuv := self._context2.get((u, v), 0)):
                lam = cuv / (cuv + self._followers2[(u, v)])
                p = lam * self._tri.get((u, v, w), 0) / cuv + (1 - lam) * p
        return math.log(p)

    def _decode(self, tokens: list[str], typed_accents: bool) -> list[str]:
        """Second-order Viterbi over the candidate forms of each token."""
        cands = self._candidates(tokens)
        if all(len(c) == 1 and has_diacritics(t) for c, t in zip(cands, tokens)):
            return tokens

        def bonus(i: int, form: str) -> float:
            typed = tokens[i]
            return self.typed_bonus if typed_accents and not has_diacritics(typed) and form == typed.lower() else 0.0

        # state: (prev candidate index, current candidate index) -> (score, back-pointer)
        layer: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {
            (-1, j): (self._logp(w, None, None) + bonus(0, w), None) for j, w in enumerate(cands[0])
        }
        history = [layer]
        for i in range(1, len(tokens)):
            nxt: dict[tuple[int, int], tuple[float, tuple[int, int] | None]] = {}
            for (a, b), (score, _) in layer.items():
                u = cands[i - 2][a] if a >= 0 else None
                v = cands[i - 1][b]
                for c, w in enumerate(cands[i]):
                    s = score + self._logp(w, v, u) + bonus(i, w)
                    if (b, c) not in nxt or s > nxt[(b, c)][0]:
                        nxt[(b, c)] = (s, (a, b))
            layer = nxt
            history.append(layer)
        state: tuple[int, int] | None = max(layer, key=lambda k: layer[k][0])
        picks: list[int] = []
        for i in range(len(tokens) - 1, -1, -1):
            assert state is not None
            picks.append(state[1])
            state = history[i][state][1]
        picks.reverse()
        forms = [options[j] for options, j in zip(cands, picks)]
        restored = [not has_diacritics(t) for t in tokens]
        pairs = [
            restored[i] and restored[i + 1] and f"{forms[i]} {forms[i + 1]}" in self._proper
            for i in range(len(forms) - 1)
        ]
        result = []
        for i, (tok, form) in enumerate(zip(tokens, forms)):
            proper = (i > 0 and pairs[i - 1]) or (i < len(pairs) and pairs[i])
            result.append(tok if has_diacritics(tok) else _apply_case(tok, form, proper))
        return result
