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
from assistant.answering.refusal import SUBJECT_FLOOR
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
    lines = [
        "| subject floor | correct refusals | false refusals |",
        "|---:|---:|---:|",
    ]
    for floor, (good, unanswerable, bad, answerable) in rows.items():
        mark = " (chosen)" if floor == SUBJECT_FLOOR else ""
        lines.append(f"| {floor:.1f}{mark} | {good}/{unanswerable} = {good / max(1, unanswerable):.3f} | {bad}/{answerable} = {bad / max(1, answerable):.3f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        sets = ", ".join(f"`{g.name}` over `{c.name}`" for g, c in DEFAULT_SETS)
        args.out.write_text(f"# Refusal curve\n\nGold sets: {sets}. The floor applies to questions that name no document; "
                            f"one that names its document needs {0.3 / 0.5:.0%} of it.\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
