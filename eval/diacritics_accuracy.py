"""Word accuracy of diacritic restoration on staff questions: ours (corpus n-grams) vs pyvi alone.

Each question is stripped of its accents (case kept), restored, and compared word by word with
the original, lower-cased and with tone placement unified ("hoà" = "hòa"). Questions come from
eval/gold.jsonl (key "question") when it exists, else from eval/sample_questions.txt.

    .venv/bin/python -m eval.diacritics_accuracy [--gold FILE] [--corpus DIR] [--loo] [-v]

--loo adds a held-out check: each corpus document's sentences restored by a model fitted on the
other documents only, so the figure is not flattered by the questions' own wording.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import PROJECT_ROOT as ROOT
from assistant.query.diacritics import DiacriticRestorer
from assistant.text import has_diacritics, unify_tones, words
from eval.gold import load_gold

SAMPLE = Path(__file__).resolve().parent / "sample_questions.txt"


def strip_accents(text: str) -> str:
    """Remove diacritics, keep case: "Sở Y tế" → "So Y te"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def _key(word: str) -> str:
    return unify_tones(word.lower())


def score(original: str, restored: str) -> tuple[int, int, int, int]:
    """(correct words, words, correct accented words, accented words) for one question."""
    want, got = words(original), words(restored)
    ok = [i < len(got) and _key(got[i]) == _key(w) for i, w in enumerate(want)]
    accented = [has_diacritics(w) for w in want]
    return sum(ok), len(want), sum(o for o, a in zip(ok, accented) if a), sum(accented)


def is_textbook(question: str) -> bool:
    """Chat pastes ("zalo" items) are not a reference for accents: most of their words have none."""
    ws = [w for w in words(question) if w.isalpha()]
    return bool(ws) and sum(has_diacritics(w) for w in ws) >= 0.4 * len(ws)


def load_questions(gold: Path) -> tuple[list[str], str]:
    if gold.exists():
        qs = [item.question.strip() for item in load_gold(gold) if item.kind != "zalo" and is_textbook(item.question)]
        if qs:
            return qs, f"{gold} (textbook questions; zalo pastes skipped)"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")], str(SAMPLE)


def corpus_texts(corpus: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus.iterdir()) if p.is_file()}


def evaluate(questions: Sequence[str], restore: Callable[[str], str], verbose: bool, label: str) -> float:
    totals = [0, 0, 0, 0]
    start = time.perf_counter()
    for q in questions:
        restored = restore(strip_accents(q))
        s = score(q, restored)
        totals = [a + b for a, b in zip(totals, s)]
        if verbose and s[0] < s[1]:
            print(f"  [{label}] {q}\n  {' ' * (len(label) + 2)} {restored}")
    ms = 1000 * (time.perf_counter() - start) / max(1, len(questions))
    acc = totals[0] / max(1, totals[1])
    print(
        f"{label:<10} word accuracy {acc:6.2%} ({totals[0]}/{totals[1]}), "
        f"accented words {totals[2] / max(1, totals[3]):6.2%}, {ms:.2f} ms/question"
    )
    return acc


def _sentences(text: str) -> list[str]:
    parts = re.split(r"[.;:!?\n]\s*\n|[.;!?]\s+", text)
    out = [" ".join(p.split()) for p in parts]
    return [s for s in out if len(words(s)) >= 4]


def leave_one_out(texts: dict[str, str]) -> None:
    totals = [0, 0]
    for name, text in texts.items():
        others = [t for n, t in texts.items() if n != name]
        model = DiacriticRestorer().fit(others)
        got = [0, 0]
        for sent in _sentences(text):
            s = score(sent, model.restore(strip_accents(sent)))
            got = [got[0] + s[0], got[1] + s[1]]
        print(f"  held out {name:<45} {got[0] / max(1, got[1]):6.2%} of {got[1]} words")
        totals = [totals[0] + got[0], totals[1] + got[1]]
    print(f"leave-one-document-out word accuracy {totals[0] / max(1, totals[1]):6.2%}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--loo", action="store_true", help="also restore held-out corpus sentences")
    ap.add_argument("-v", "--verbose", action="store_true", help="print questions with errors")
    args = ap.parse_args(argv)

    questions, source = load_questions(args.gold)
    texts = corpus_texts(args.corpus)
    start = time.perf_counter()
    model = DiacriticRestorer().fit(texts.values())
    fit_ms = 1000 * (time.perf_counter() - start)
    print(f"{len(questions)} questions from {source}; fitted on {len(texts)} documents in {fit_ms:.0f} ms")

    from pyvi import ViUtils

    evaluate(questions, model.restore, args.verbose, "ours")
    evaluate(questions, ViUtils.add_accents, args.verbose, "pyvi-only")
    changed = [(q, r) for q in questions if (r := model.restore(q)) != q]
    print(f"accented questions left unchanged by ours: {len(questions) - len(changed)}/{len(questions)}")
    for q, r in changed if args.verbose else ():
        print(f"  [changed] {q}\n            {r}")
    if args.loo:
        leave_one_out(texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
