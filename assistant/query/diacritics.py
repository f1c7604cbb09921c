"""Restore Vietnamese diacritics to accent-less questions from the corpus's own vocabulary.

Staff type "so y te phai lam gi"; a general restorer (pyvi) says "Số y tế", "mà tưy". The
indexed documents already tell which accented form each folded syllable takes in which
neighbourhood ("sở y tế", "ma túy", "công an tỉnh"), so restoration is a small n-gram model
fitted on them (plus a small seed of question words and, with a weight far below the corpus,
pyvi's word list for everyday words), decoded with Viterbi over the candidate forms of each
folded syllable. Syllables none of these know go to pyvi's restorer, and only if it returns a
real syllable. The model is rebuilt on every ingest and saved as JSON beside the index.
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

SEED_PATH = Path(__file__).parent.parent / "data" / "question_words.txt"
FORMAT = "diacritics/1"

_PIECES = re.compile(r"\w+|\W+")
# Gaps that end an n-gram chain: sentence punctuation and paragraph breaks. Commas, hyphens and
# single line breaks (PDF wrapping) do not, so "phòng, chống ma túy" still gives "phòng chống".
_BREAK = re.compile(r"[.;:!?()\[\]{}\"“”…]|\n\s*\n")
_MAX_SYLLABLE = 7  # "nghiêng"
_VOWELS = set("aeiouy")


@lru_cache(maxsize=200_000)
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


def _count_case(chain: list[tuple[str, bool]], forms: list[str], seen: Counter[str], caps: Counter[str]) -> None:
    for k in range(len(chain) - 1):
        (tok, mid), (nxt, _) = chain[k], chain[k + 1]
        if mid and not (len(tok) > 1 and tok.isupper()):
            pair = f"{forms[k]} {forms[k + 1]}"
            seen[pair] += 1
            caps[pair] += tok[0].isupper() and nxt[0].isupper()


def _data_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def _apply_case(typed: str, form: str, proper: bool) -> str:
    if form == typed.lower() and not proper:
        return typed  # nothing restored: keep the word exactly as typed ("nS" stays "nS")
    if len(typed) > 1 and typed.isupper():
        return form.upper()
    if typed[:1].isupper() or (proper and typed.islower()):
        return form[:1].upper() + form[1:]
    return form


@lru_cache(maxsize=1)
def _lexicon() -> tuple[str, ...]:
    """pyvi's Vietnamese word list ("so sánh", "phần trăm"), found without importing pyvi."""
    from importlib.util import find_spec

    spec = find_spec("pyvi")
    if spec is None or not spec.origin:
        return ()
    try:
        return tuple(_data_lines(Path(spec.origin).parent / "models" / "words.txt"))
    except OSError:
        return ()


@lru_cache(maxsize=1)
def _known_syllables() -> frozenset[str]:
    """Syllables of pyvi's word list: a check that a pyvi guess is Vietnamese at all."""
    return frozenset(_form(s) for line in _lexicon() for s in line.split())


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


def types_accents(text: str) -> bool:
    """Does the writer type diacritics? (At least half the words carry them.)"""
    alpha = [w for w in _PIECES.findall(text) if w.isalpha()]
    return bool(alpha) and sum(has_diacritics(w) for w in alpha) >= 0.5 * len(alpha)


# Two vowel groups with a consonant between them: no Vietnamese syllable is written so ("heroin",
# "cocaine", "tramadol"); such a word is a loanword, never a syllable that lost its marks.
_MANY_SYLLABLES = re.compile(r"[aeiouy]+[^aeiouy\W\d_]+[aeiouy]")


class DiacriticRestorer:
    """N-gram (1–3) counts of accented forms per folded syllable sequence, decoded with Viterbi."""

    max_candidates = 8
    beam = 24
    typed_bonus = math.log(20.0)  # an accent-typing user's unaccented "ma", "an" are meant
    seed_weight = 2.0
    # pyvi's word list, a weak prior for everyday words the corpus lacks. It says which syllables
    # form words together, not how frequent a syllable is, so its unigrams count even less.
    lexicon_weight = 0.2
    lexicon_unigram_weight = 0.02

    def __init__(self, use_pyvi: bool = True) -> None:
        self.use_pyvi = use_pyvi
        self._uni: dict[str, float] = {}
        self._bi: dict[tuple[str, str], float] = {}
        self._tri: dict[tuple[str, str, str], float] = {}
        self._proper: frozenset[str] = frozenset()
        self._index()

    # ---- fitting and persistence -------------------------------------------------------

    def fit(
        self, texts: Iterable[str], *, seed: bool = True, lexicon: bool = True, max_trigrams: int = 500_000
    ) -> DiacriticRestorer:
        """Count forms in `texts`, plus the question-word seed and (weakly) pyvi's word list.

        Replaces earlier counts. Corpus counts dominate; the seed and lexicon only fill the gaps
        a few policy documents leave ("phần trăm", "so sánh", "bao giờ").
        """
        uni: Counter[str] = Counter()
        bi: Counter[tuple[str, str]] = Counter()
        tri: Counter[tuple[str, str, str]] = Counter()
        seen: Counter[str] = Counter()
        caps: Counter[str] = Counter()  # capitalised mid-sentence occurrences per form pair

        def count(lines: Iterable[str], weight: float, cased: bool, uni_weight: float | None = None) -> None:
            u: Counter[str] = Counter()
            b: Counter[tuple[str, str]] = Counter()
            t: Counter[tuple[str, str, str]] = Counter()
            for text in lines:
                for chain in _chains(text):
                    forms = [_form(tok) for tok, _ in chain]
                    u.update(forms)
                    b.update(zip(forms, forms[1:]))
                    t.update(zip(forms, forms[1:], forms[2:]))
                    if cased:
                        _count_case(chain, forms, seen, caps)
            for total, part, w in ((uni, u, uni_weight or weight), (bi, b, weight), (tri, t, weight)):
                for key, c in part.items():
                    total[key] += c * w  # type: ignore[index]

        count(texts, 1.0, cased=True)
        if seed:
            count(_data_lines(SEED_PATH), self.seed_weight, cased=False)
        if lexicon:
            count(_lexicon(), self.lexicon_weight, cased=False, uni_weight=self.lexicon_unigram_weight)
        if len(tri) > max_trigrams:  # keep a large corpus's model small: drop rare trigrams
            tri = Counter({k: c for k, c in tri.items() if c > 1})
        self._uni, self._bi, self._tri = dict(uni), dict(bi), dict(tri)
        # Pairs written capitalised mid-sentence ("Sơn La", "Tuyên Quang") are names.
        self._proper = frozenset(f for f, n in seen.items() if n >= 2 and caps[f] >= 0.9 * n)
        self._index()
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "unigrams": {k: round(c, 3) for k, c in self._uni.items()},
            "bigrams": {" ".join(k): round(c, 3) for k, c in self._bi.items()},
            "trigrams": {" ".join(k): round(c, 3) for k, c in self._tri.items()},
            "proper": sorted(self._proper),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], use_pyvi: bool = True) -> DiacriticRestorer:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        self = cls(use_pyvi=use_pyvi)
        self._uni = {k: float(c) for k, c in data["unigrams"].items()}
        self._bi = {tuple(k.split()): float(c) for k, c in data["bigrams"].items()}  # type: ignore[misc]
        self._tri = {tuple(k.split()): float(c) for k, c in data["trigrams"].items()}  # type: ignore[misc]
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
        self._context1: dict[str, float] = Counter()
        self._followers1: dict[str, float] = Counter()
        for (v, _), c in self._bi.items():
            self._context1[v] += c
            self._followers1[v] += min(1.0, c)  # weak (seed, lexicon) n-grams: part of a type
        self._context2: dict[tuple[str, str], float] = Counter()
        self._followers2: dict[tuple[str, str], float] = Counter()
        for (u, v, _), c in self._tri.items():
            self._context2[(u, v)] += c
            self._followers2[(u, v)] += min(1.0, c)

    # ---- restoring -------------------------------------------------------------------------

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
            typed_accents = types_accents(text)
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

    def _candidates(self, tokens: list[str], typed_accents: bool = False) -> list[list[str]]:
        """Accented forms the corpus knows; for a user who types accents, the word as typed too
        when it is a real syllable ("lo việc" is "lo", even if no document says "lo")."""
        cands: list[list[str] | None] = []
        for tok in tokens:
            low = _form(tok)
            if has_diacritics(tok):
                cands.append([low])
                continue
            forms = list(self._cands.get(low) or [])
            if forms and typed_accents and low not in forms and low in _known_syllables():
                forms.append(low)
            if typed_accents and low in forms and _MANY_SYLLABLES.search(low):
                forms = [low]  # a loanword as the documents also write it ("Heroin" beside "Hêrôin"), typed so
            cands.append(forms or None)
        unknown = [i for i, c in enumerate(cands) if c is None]
        guesses = self._pyvi(tokens, unknown) if unknown else {}
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

    def _p2(self, w: str, v: str | None) -> float:
        """Witten-Bell interpolated bigram probability; the trigram step is in `_p3`.

        A context seen with few distinct followers ("cơ" → "quan", "sở") trusts its own counts,
        one seen with many ("có") backs off more to the unigram.
        """
        p = (self._uni.get(w, 0) + 0.1) / (self._total + 0.1 * self._vocab + 1)
        if v is not None and (cv := self._context1.get(v, 0)):
            lam = cv / (cv + self._followers1[v])
            p = lam * self._bi.get((v, w), 0) / cv + (1 - lam) * p
        return p

    def _p3(self, w: str, v: str, u: str, p2: float, cuv: float) -> float:
        lam = cuv / (cuv + self._followers2[(u, v)])
        return lam * self._tri.get((u, v, w), 0) / cuv + (1 - lam) * p2

    def _decode(self, tokens: list[str], typed_accents: bool) -> list[str]:
        """Second-order Viterbi (beam-pruned) over the candidate forms of each token."""
        cands = self._candidates(tokens, typed_accents)
        if all(len(c) == 1 and has_diacritics(t) for c, t in zip(cands, tokens)):
            return tokens
        bonus = [
            [self.typed_bonus if typed_accents and not has_diacritics(t) and w == t.lower() else 0.0 for w in c]
            for t, c in zip(tokens, cands)
        ]
        # state (prev candidate, current candidate) -> (score, previous state)
        Layer = dict[tuple[int, int], tuple[float, tuple[int, int] | None]]
        layer: Layer = {
            (-1, j): (math.log(self._p2(w, None)) + bonus[0][j], None) for j, w in enumerate(cands[0])
        }
        history = [layer]
        for i in range(1, len(tokens)):
            here = cands[i]
            p2 = [[self._p2(w, v) for w in here] for v in cands[i - 1]]
            log2 = [[math.log(p) + bonus[i][c] for c, p in enumerate(row)] for row in p2]
            nxt: Layer = {}
            for (a, b), (score, _) in layer.items():
                v = cands[i - 1][b]
                u = cands[i - 2][a] if a >= 0 else None
                cuv = self._context2.get((u, v), 0) if u is not None else 0
                if cuv:
                    steps = [
                        math.log(self._p3(w, v, u, p2[b][c], cuv)) + bonus[i][c]  # type: ignore[arg-type]
                        for c, w in enumerate(here)
                    ]
                else:
                    steps = log2[b]
                for c, step in enumerate(steps):
                    s = score + step
                    if (b, c) not in nxt or s > nxt[(b, c)][0]:
                        nxt[(b, c)] = (s, (a, b))
            if len(nxt) > self.beam:
                nxt = dict(sorted(nxt.items(), key=lambda kv: -kv[1][0])[: self.beam])
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
            if typed_accents and form != _form(tok) and _form(tok) in _known_syllables() and not self._attested(forms, i):
                form = _form(tok)  # an accent-typing user's bare "lo" is "lo" unless the documents say otherwise
            result.append(tok if has_diacritics(tok) else _apply_case(tok, form, proper))
        return result

    def _attested(self, forms: list[str], i: int) -> bool:
        """Does the chosen form occur next to a chosen neighbour (counts ≥ 1 come from real text)?"""
        before = i > 0 and self._bi.get((forms[i - 1], forms[i]), 0) >= 1
        after = i + 1 < len(forms) and self._bi.get((forms[i], forms[i + 1]), 0) >= 1
        return before or after
