"""Right answers among a real archive (issue 19): each gold set asked over its own documents and
over the same documents among ~1,000 texts of every subject (news, studies, decisions of other
fields from `../shared/corpus-scale`, read in place, never copied).

    python -m assistant.bench.accuracy --own                 # the whole archive, each set's own corpus beside it
    python -m assistant.bench.accuracy --scale-sample 100 --check   # CI: a slice, gated by eval/thresholds_scale.toml

Per gold set: fact recall (and its drop from the own-corpus figure when measured), false
refusals, and *unrelated answers*: answers citing a document that is neither one of the
question's gold sources nor a drug-prevention text (one naming none of `data/subject_words.txt`),
i.e. a quote from the archive's other subjects.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT, Settings
from assistant.text import fold

SHARED = PROJECT_ROOT.parent / "shared"
SCALE = SHARED / "corpus-scale"
DEVELOPMENT = [SHARED / "corpus-dev", SHARED / "corpus-dev-2"]
THRESHOLDS = PROJECT_ROOT / "eval" / "thresholds_scale.toml"


@dataclass(frozen=True)
class GoldSet:
    """A gold file and the documents it was written on."""

    gold: Path
    own: list[Path]

    @property
    def name(self) -> str:
        return self.gold.stem


GOLD_SETS = [
    GoldSet(PROJECT_ROOT / "eval" / "gold.jsonl", [PROJECT_ROOT / "corpus"]),
    GoldSet(PROJECT_ROOT / "eval" / "gold_dev.jsonl", [SHARED / "corpus-dev"]),
]


@lru_cache(maxsize=1)
def subject_words() -> tuple[str, ...]:
    text = resources.files("assistant.data").joinpath("subject_words.txt").read_text("utf-8")
    return tuple(fold(line.strip()) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def on_subject(text: str) -> bool:
    """Is this a drug-prevention text (it names the subject somewhere)?"""
    folded = fold(text)
    return any(word in folded for word in subject_words())


def scale_sample(folder: Path, n: int) -> list[Path]:
    """`n` texts of `folder`, the same on every machine: ordered by a hash of their names (not by
    name, which groups the collection's kinds), the first `n`."""
    from assistant.index.ingest import discover_files

    files = discover_files([folder])
    return sorted(files, key=lambda p: hashlib.sha1(p.name.encode("utf-8")).hexdigest())[:n]


def unrelated_answers(items: list[dict[str, Any]], texts: dict[str, str]) -> list[dict[str, str]]:
    """Answers (not refusals) citing a document outside their gold sources that is off the subject."""
    found = []
    for item in items:
        if item.get("abstained"):
            continue
        gold = set(item.get("gold_sources") or [])
        for source in dict.fromkeys(item.get("cited_sources") or []):
            if source not in gold and not on_subject(texts.get(source, "")):
                found.append({"id": str(item["id"]), "cited": source})
    return found


def ask(gold: GoldSet, corpora: list[Path], index_dir: Path) -> dict[str, Any]:
    """Every question of `gold` over an index of `corpora` (built in `index_dir` or reused)."""
    from eval.__main__ import evaluate, held_out
    from eval.gold import load_gold
    from assistant.service import PolicyAssistant

    settings = Settings(index_dir=index_dir)
    started = time.perf_counter()
    payload, results = evaluate(settings, load_gold(gold.gold), False, held_out(PROJECT_ROOT / "eval" / "splits.toml", gold.gold), corpora)
    items = [r.to_dict() for r in results["ours"]]
    texts = PolicyAssistant(settings).library.full_texts
    overall = payload["systems"]["ours"]["summary"]["overall"]
    unrelated = unrelated_answers(items, texts)
    return {
        "documents": len(texts), "questions": overall["n"], "fact_recall": overall["fact_recall"],
        "false_abstention": overall["false_abstention"], "correct_abstention": overall["correct_abstention"],
        "hit_at_5": overall["hit_at_5"], "unrelated_answers": len({u["id"] for u in unrelated}), "unrelated": unrelated,
        "seconds": round(time.perf_counter() - started, 1),
        "missed": {str(i["id"]): i.get("missing") for i in items if i.get("answerable") and i.get("missing")},
    }


def archive(scale_files: list[Path] | None) -> list[Path]:
    """The bundled plans, every development document and corpus-scale (all, or the files given)."""
    return [PROJECT_ROOT / "corpus", *[d for d in DEVELOPMENT if d.is_dir()], *(scale_files if scale_files is not None else [SCALE])]


def breaches(figures: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Minimums for recall, maximums for refusals and unrelated answers, and the largest drop from
    the own-corpus recall when it was measured."""
    found = []
    for name, limits in thresholds.items():
        got = figures.get(name, {}).get("archive")
        if got is None:
            continue
        if "fact_recall" in limits and got["fact_recall"] < limits["fact_recall"]:
            found.append(f"{name}: fact recall {got['fact_recall']:.3f} < {limits['fact_recall']}")
        if "false_abstention" in limits and got["false_abstention"] > limits["false_abstention"]:
            found.append(f"{name}: false refusals {got['false_abstention']:.3f} > {limits['false_abstention']}")
        if "unrelated_answers" in limits and got["unrelated_answers"] > limits["unrelated_answers"]:
            found.append(f"{name}: {got['unrelated_answers']} answers cite an unrelated document > {limits['unrelated_answers']}: {got['unrelated']}")
        own = figures[name].get("own")
        if own is not None and "recall_drop" in limits and own["fact_recall"] - got["fact_recall"] > limits["recall_drop"]:
            found.append(f"{name}: fact recall {got['fact_recall']:.3f} is {own['fact_recall'] - got['fact_recall']:.3f} under its own corpus's")
    return found


def render(figures: dict[str, Any]) -> str:
    """One row per gold set: own corpus (when measured) beside the archive."""
    lines = ["| gold set | questions | documents | fact recall own corpus | fact recall in the archive | drop | false refusals own / archive | "
             "hit@5 own / archive | answers citing an unrelated document |", "|---|---|---|---|---|---|---|---|---|"]
    for name, f in figures.items():
        own, got = f.get("own"), f["archive"]

        def mine(key: str) -> str:
            return f"{own[key]:.3f}" if own else "–"

        drop = f"{own['fact_recall'] - got['fact_recall']:+.3f}" if own else "–"
        lines.append(f"| {name} | {got['questions']} | {got['documents']} | {mine('fact_recall')} | {got['fact_recall']:.3f} | {drop} | "
                     f"{mine('false_abstention')} / {got['false_abstention']:.3f} | {mine('hit_at_5')} / {got['hit_at_5']:.3f} | {got['unrelated_answers']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.bench.accuracy", description="Độ đúng của các bộ câu hỏi mẫu trong kho thật ~1.000 văn bản")
    p.add_argument("--scale-sample", type=int, default=None, help="chỉ N văn bản của corpus-scale (chọn cố định), cho CI")
    p.add_argument("--own", action="store_true", help="cũng hỏi trên kho riêng của mỗi bộ câu hỏi, để so")
    p.add_argument("--index-dir", type=Path, default=None, help="chỉ mục của kho (mặc định: thư mục tạm)")
    p.add_argument("--check", action="store_true", help=f"mã thoát 1 nếu vượt ngưỡng của {THRESHOLDS.relative_to(PROJECT_ROOT)}")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    p.add_argument("--json", type=Path, default=None, help="ghi kết quả JSON vào tệp này")
    args = p.parse_args(argv)
    if not SCALE.is_dir():
        print(f"Không thấy {SCALE}: bỏ qua phép đo độ đúng trong kho thật.", file=sys.stderr)
        return 0
    scale_files = scale_sample(SCALE, args.scale_sample) if args.scale_sample is not None else None
    corpora = archive(scale_files)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="accuracy-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "archive"
        for gold in GOLD_SETS:
            figures[gold.name] = {"archive": ask(gold, corpora, index_dir)}
            if args.own:
                figures[gold.name]["own"] = ask(gold, gold.own, Path(tmp) / f"own-{gold.name}")
            print(f"{gold.name}: {json.dumps({k: v for k, v in figures[gold.name]['archive'].items() if k != 'missed'}, ensure_ascii=False)}", file=sys.stderr)
    print(render(figures))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.check:
        return 0
    found = breaches(figures, tomllib.loads(args.thresholds.read_text(encoding="utf-8")))
    for problem in found:
        print(f"LỖI: {problem}", file=sys.stderr)
    print("gate passed" if not found else f"GATE FAILED: {len(found)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
