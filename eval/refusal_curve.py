"""How refusing trades off: correct refusals of unanswerable questions against false refusals of
answerable ones, as the subject-coverage floor (answering/refusal.py) moves — on several gold sets
at once, each over its own corpus. The chosen floor is the one the report argues for.

    python -m eval.refusal_curve                       # bundled gold over corpus/ + gold_dev over corpus-dev
    python -m eval.refusal_curve --out eval/refusal_curve.md
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from assistant.answering.engine import QuestionRejected
from assistant.answering.refusal import NAMED_FLOOR, SUBJECT_FLOOR
from assistant.config import PROJECT_ROOT, Settings
from assistant.service import PolicyAssistant

from eval.gold import GoldItem, load_gold

HERE = Path(__file__).resolve().parent
FLOORS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
DEFAULT_SETS = (
    (HERE / "gold.jsonl", PROJECT_ROOT / "corpus"),
    (HERE / "gold_dev.jsonl", PROJECT_ROOT.parent / "shared" / "corpus-dev"),
)


def refusals(assistant: PolicyAssistant, items: list[GoldItem], floor: float) -> tuple[int, int, int, int]:
    """(unanswerable refused, unanswerable, answerable refused, answerable) at this floor."""
    engine = assistant.engine
    engine.router.refusal.subject_floor = floor
    counts = [0, 0, 0, 0]
    for item in items:
        try:
            refused = bool(engine.ask(item.question).metadata["abstained"])
        except QuestionRejected:
            refused = True
        if item.answerable:
            counts[2] += refused
            counts[3] += 1
        else:
            counts[0] += refused
            counts[1] += 1
    return counts[0], counts[1], counts[2], counts[3]


def markdown_table(rows: dict[float, list[int]]) -> str:
    lines = [
        "| subject floor | correct refusals | false refusals |",
        "|---:|---:|---:|",
    ]
    for floor, (good, unanswerable, bad, answerable) in rows.items():
        mark = " (chosen)" if floor == SUBJECT_FLOOR else ""
        lines.append(f"| {floor:.1f}{mark} | {good}/{unanswerable} = {good / max(1, unanswerable):.3f} | {bad}/{answerable} = {bad / max(1, answerable):.3f} |")
    return "\n".join(lines)


def report(rows: dict[float, list[int]]) -> str:
    sets = ", ".join(f"`{g.name}` over `{c.name}`" for g, c in DEFAULT_SETS)
    chosen = rows[SUBJECT_FLOOR]
    errors = {f: (r[1] - r[0]) + r[2] for f, r in rows.items()}  # unanswerables answered + answerables refused
    fewest = min(errors.values())
    tied = [f for f, e in errors.items() if e == fewest]
    verdict = (
        f"it makes the fewest wrong decisions over all {chosen[1] + chosen[3]} questions ({fewest}: unanswerable ones "
        f"answered plus answerable ones refused), as do floors {', '.join(f'{f:.1f}' for f in tied)}"
        if SUBJECT_FLOOR in tied else
        f"it makes {errors[SUBJECT_FLOOR]} wrong decisions over all {chosen[1] + chosen[3]} questions where floor "
        f"{tied[0]:.1f} makes {fewest}: the floor should be reconsidered"
    )
    return (
        f"# Refusal curve\n\nGold sets: {sets}. The floor is the share of a question's specific words "
        f"(weighted by rarity) that the best retrieved passages must hold; it applies to questions that name "
        f"no document, and one that names its document needs {NAMED_FLOOR / SUBJECT_FLOOR:.0%} of it.\n\n{markdown_table(rows)}\n\n"
        f"The chosen floor {SUBJECT_FLOOR} refuses {chosen[0]}/{chosen[1]} unanswerable questions and "
        f"{chosen[2]}/{chosen[3]} answerable ones: {verdict}. A higher floor buys the last correct refusals "
        "with several false ones, and staff ask answerable questions far more often. The floor is one "
        "reason to refuse among others: most unanswerable questions are refused before any search (a document, "
        "province, body or year that no document has) or because no passage holds the kind of value asked "
        "(a time, an amount), which is why the curve is flat.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.refusal_curve", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the table as Markdown here")
    args = parser.parse_args(argv)
    rows: dict[float, list[int]] = {floor: [0, 0, 0, 0] for floor in FLOORS}
    with tempfile.TemporaryDirectory(prefix="refusal-curve-") as tmp:
        for number, (gold, corpus) in enumerate(DEFAULT_SETS):
            settings = Settings(corpus_dir=corpus, index_dir=Path(tmp) / f"index-{number}")
            assistant = PolicyAssistant(settings)
            assistant.ingest(show_progress=False)
            items = load_gold(gold)
            for floor in FLOORS:
                for i, value in enumerate(refusals(assistant, items, floor)):
                    rows[floor][i] += value
                print(f"  {gold.name} floor {floor}: done", file=sys.stderr)
    table = markdown_table(rows)
    print(table)
    if args.out:
        args.out.write_text(report(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
