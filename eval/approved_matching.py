"""How well approved answers are matched: the same question in other words or pasted from Zalo
gets the approved answer; other questions do not.

Approved answers are made at run time from the engine's own cited passages for a set of gold
questions (`approved_variants.jsonl` names them and gives two paraphrases of each, written by
hand); each is then asked as its paraphrases, without accents, behind a Zalo header
("[09:41] Anh Tuấn: …"), in teencode, all three at once, and as the gold set's own Zalo
variant when it has one. Every other gold question (gold.jsonl and gold_dev.jsonl) is asked
too and must get no approved answer. The thresholds are swept so the configured ones can be
chosen from the table.

    python -m eval.approved_matching [--out eval/approved_matching.md]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answering.engine import QuestionRejected
from assistant.config import Settings, load_settings
from assistant.present.approved import ApprovedMatcher, ApprovedStore, Match, Passage
from assistant.present.feedback import FeedbackStore
from eval.diacritics_accuracy import strip_accents

HERE = Path(__file__).resolve().parent
VARIANTS = HERE / "approved_variants.jsonl"
GOLD_FILES = (HERE / "gold.jsonl", HERE / "gold_dev.jsonl")
HEADER = "[09:41] Anh Tuấn: "
# How staff shorten words in chat (the reader's abbreviation list expands them back).
TEENCODE = (
    ("phòng, chống ma túy", "pcmt"), ("Ủy ban nhân dân", "UBND"), ("kế hoạch", "KH"), ("nhiệm vụ", "nv"),
    ("báo cáo", "bc"), ("bao nhiêu", "bn"), ("được", "dc"), ("không", "ko"), ("gì", "j"),
)
SIMILARITIES = (0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.96)
OVERLAPS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)


def teencode(text: str) -> str:
    for word, short in TEENCODE:
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", short, text, flags=re.I)
    return text


def variants_of(question: str, paraphrases: Sequence[str], gold_zalo: str | None) -> list[tuple[str, str]]:
    """(kind, text) of every way the question is asked again."""
    out = [("paraphrase", p) for p in paraphrases]
    out += [("no diacritics", strip_accents(question)), ("Zalo header", HEADER + question), ("teencode", teencode(question))]
    first = paraphrases[0] if paraphrases else question
    out.append(("Zalo, no diacritics, teencode", HEADER + strip_accents(teencode(first))))
    if gold_zalo:
        out.append(("gold Zalo variant", gold_zalo))
    return out


@dataclass
class Asked:
    text: str
    kind: str
    expected: int | None  # the approved answer's id it should get; None: no approved answer
    candidates: list[Match] = field(default_factory=list)
    rejected: bool = False

    def returned(self, similarity: float, overlap: float) -> int | None:
        for match in self.candidates:
            if match.similarity >= similarity and match.overlap >= overlap:
                return match.answer.id
        return None


@dataclass
class Measurement:
    approved: dict[str, int]  # gold id → approved answer id
    skipped: list[str]  # gold questions the engine refused (no passages to approve)
    asked: list[Asked]

    def rates(self, similarity: float, overlap: float) -> tuple[float, float]:
        positives = [a for a in self.asked if a.expected is not None]
        negatives = [a for a in self.asked if a.expected is None]
        hit = sum(1 for a in positives if a.returned(similarity, overlap) == a.expected)
        false = sum(1 for a in negatives if a.returned(similarity, overlap) is not None)
        return hit / max(1, len(positives)), false / max(1, len(negatives))


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(assistant: Any, feedback_db: Path, variants_file: Path = VARIANTS, gold_files: Sequence[Path] = GOLD_FILES) -> Measurement:
    """Approve the chosen gold questions' answers (their real cited passages) in a fresh store
    at `feedback_db`, then ask every variant and every other gold question."""
    engine = assistant.engine
    library = engine.library
    store = ApprovedStore(FeedbackStore(feedback_db))
    matcher = ApprovedMatcher(store, assistant.embed_model, engine.read, 1.0, 1.0)
    gold = [g for path in gold_files if path.exists() for g in load_jsonl(path)]
    by_id = {g["id"]: g for g in gold}
    chosen = load_jsonl(variants_file)
    approved: dict[str, int] = {}
    skipped: list[str] = []
    for item in chosen:
        question = by_id[item["id"]]["question"]
        response = engine.ask(question)
        meta = response.metadata or {}
        if meta.get("abstained") or not meta.get("citations"):
            skipped.append(item["id"])
            continue
        passages = [Passage.from_citation(library, c) for c in meta["citations"][:4]]
        approved[item["id"]] = store.add(library, [question], passages, "eval").id
    asked: list[Asked] = []
    for item in chosen:
        if item["id"] not in approved:
            continue
        zalo = by_id.get(f"zalo-{item['id']}", {}).get("question")
        for kind, text in variants_of(by_id[item["id"]]["question"], item["paraphrases"], zalo):
            asked.append(Asked(text, kind, approved[item["id"]]))
    variant_ids = {f"zalo-{i}" for i in approved} | set(approved) | {f"zalo-{i}" for i in skipped} | set(skipped)
    asked += [Asked(g["question"], "other gold question", None) for g in gold if g["id"] not in variant_ids]
    for entry in asked:
        try:
            text = engine.read(entry.text)[0]
        except QuestionRejected:
            entry.rejected = True
            continue
        entry.candidates = matcher.candidates(text, library)
    return Measurement(approved, skipped, asked)


def report(measurement: Measurement, settings: Settings) -> str:
    positives = sum(1 for a in measurement.asked if a.expected is not None)
    negatives = len(measurement.asked) - positives
    lines = [
        "# Approved-answer matching",
        "",
        f"{len(measurement.approved)} approved answers (gold questions, answered from their own cited passages); "
        f"{positives} variants of them (paraphrases, no diacritics, Zalo header, teencode, all at once, the gold Zalo variant); "
        f"{negatives} other gold questions. Skipped (refused, nothing to approve): {', '.join(measurement.skipped) or 'none'}.",
        "",
        "Rate the approved answer is returned for its variants / any approved answer for other questions:",
        "",
        "| cosine ≥ | " + " | ".join(f"overlap ≥ {o}" for o in OVERLAPS) + " |",
        "|---|" + "---|" * len(OVERLAPS),
    ]
    for similarity in SIMILARITIES:
        cells = []
        for overlap in OVERLAPS:
            hit, false = measurement.rates(similarity, overlap)
            cells.append(f"{hit:.3f} / {false:.3f}")
        lines.append(f"| {similarity} | " + " | ".join(cells) + " |")
    hit, false = measurement.rates(settings.approved_similarity, settings.approved_overlap)
    lines += ["", f"Configured (cosine ≥ {settings.approved_similarity}, overlap ≥ {settings.approved_overlap}): "
              f"variants {hit:.3f} (target ≥ 0.95), other questions {false:.3f} (target ≤ 0.02).", ""]
    wrong = [a for a in measurement.asked
             if (a.expected is not None and a.returned(settings.approved_similarity, settings.approved_overlap) != a.expected)
             or (a.expected is None and a.returned(settings.approved_similarity, settings.approved_overlap) is not None)]
    if wrong:
        lines += ["Misses at the configured thresholds:", ""]
        for a in wrong:
            best = a.candidates[0] if a.candidates else None
            score = f"cosine {best.similarity:.3f}, overlap {best.overlap:.2f}" if best else "no candidate with the same bodies, places, years and kind"
            lines.append(f"- ({a.kind}) {a.text} — {score}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.service import PolicyAssistant

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the Markdown report here too")
    args = parser.parse_args(argv)
    settings = load_settings()
    assistant = PolicyAssistant(settings)
    note = assistant.ensure_index(show_progress=False)
    if note:
        print(note)
    with tempfile.TemporaryDirectory() as scratch:
        text = report(measure(assistant, Path(scratch) / "feedback.sqlite3"), settings)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
