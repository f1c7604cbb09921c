"""CLI: `python -m eval` (also `assistant eval ...`). Exit 0 = ran (and gate passed), 1 = gate
breached, 2 = bad input (malformed gold file, unknown sources, bad thresholds file)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.service import PolicyAssistant

from eval.baselines import QuickstartIndex, QuickstartSystem, retriever_variants  # noqa: E402
from eval.gate import check, load_thresholds  # noqa: E402
from eval.gold import GoldError, GoldItem, load_gold  # noqa: E402
from eval.metrics import ItemResult, summarize_all  # noqa: E402
from eval.renderings import RENDERINGS, Rendering, render_folder  # noqa: E402
from eval.report import METRICS, fmt, write_report  # noqa: E402
from eval.runner import EngineSystem, System, run_system, unknown_sources  # noqa: E402

HERE = Path(__file__).resolve().parent

DESCRIPTIONS = {
    "ours": "hybrid retriever (dense + BM25 + agency blocks) + extractive answerer, as the CLI runs it",
    "bm25-only": "our engine, BM25 retriever only",
    "dense-only": "our engine, dense (Chroma) retriever only",
    "quickstart-k2": "llama-index quickstart (SimpleDirectoryReader, SentenceSplitter, VectorStoreIndex/Chroma), top-2 chunks as the answer",
    "quickstart-k5": "same, top-5 chunks as the answer",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval", description="Score the assistant on a gold set.")
    p.add_argument("--gold", type=Path, default=HERE / "gold.jsonl", help="gold JSONL file (default: eval/gold.jsonl)")
    p.add_argument("--out", type=Path, default=HERE / "out", help="output folder for report.json and report.md")
    p.add_argument("--baselines", action="store_true", help="also run BM25-only, dense-only and llama-index quickstart baselines")
    p.add_argument("--check-thresholds", action="store_true", help="exit 1 when a metric breaches eval/thresholds.toml")
    p.add_argument("--thresholds", type=Path, default=HERE / "thresholds.toml")
    p.add_argument("--publish", type=Path, nargs="?", const=HERE / "report.md", default=None, metavar="FILE",
                   help="copy report.md to FILE (default eval/report.md; e.g. eval/report_dev.md for the corpus-dev set)")
    p.add_argument("--index-dir", type=Path, help="use (and update) this index; default: a fresh build in a temporary folder")
    p.add_argument("--corpus", type=Path, action="append", help="a folder of documents to index; repeat to index several together (default: the configured corpus, corpus/)")
    p.add_argument("--splits", type=Path, default=HERE / "splits.toml", help="held-out documents per gold file (reported apart)")
    p.add_argument("--render", choices=sorted(RENDERINGS), help="index every document re-rendered in this shape (eval/renderings.py) "
                   "instead of as it is; compare the report with the plain run: the answers should not change")
    p.add_argument("--same-as", type=Path, metavar="REPORT_JSON", help="exit 1 unless fact recall is within --tolerance of this "
                   "report's (the plain run's report.json): a rendering must not change the answers")
    p.add_argument("--tolerance", type=float, default=0.02, help="for --same-as (default 0.02)")
    return p


def _progress(name: str, i: int, n: int) -> None:
    if i == n or i % 20 == 0:
        print(f"  {name}: {i}/{n}", file=sys.stderr, flush=True)


def held_out(splits: Path, gold: Path) -> list[str]:
    """The documents of this gold file that were left out while developing (see splits.toml)."""
    if not splits.exists():
        return []
    with open(splits, "rb") as handle:
        return list(tomllib.load(handle).get(gold.stem, {}).get("held_out", []))


def evaluate(
    settings: Settings, items: list[GoldItem], baselines: bool, left_out: list[str] | None = None, corpora: list[Path] | None = None,
) -> tuple[dict[str, Any], dict[str, list[ItemResult]]]:
    """Index the corpus (or several folders together), run every system over the items, return
    (report payload, per-item results)."""
    started = time.perf_counter()
    folders = corpora or [settings.corpus_dir]
    assistant = PolicyAssistant(settings)
    built = assistant.ingest(folders, show_progress=False, replace=True)  # exactly these folders; incremental: a no-op on an up-to-date index
    systems: list[System] = [EngineSystem("ours", assistant.engine)]
    missing = unknown_sources(items, systems[0])
    if missing:
        raise GoldError(f"sources not in the index (corpus {', '.join(map(str, folders))}): {', '.join(missing)}")
    if baselines:
        systems += retriever_variants(assistant)
        quickstart = QuickstartIndex(folders, assistant.embed_model)
        systems += [QuickstartSystem(quickstart, k) for k in (2, 5)]
    index_s = time.perf_counter() - started
    embedded = assistant.embed_model.computed  # texts the model embedded; everything else came from the machine's cache
    print(f"indexes ready after {index_s:.0f} s ({embedded} texts embedded, {built.nodes_reused} chunks from the embedding cache); "
          f"{len(items)} questions × {len(systems)} systems", file=sys.stderr)
    results: dict[str, list[ItemResult]] = {}
    for system in systems:
        t = time.perf_counter()
        results[system.name] = run_system(system, items, _progress)
        print(f"  {system.name}: {time.perf_counter() - t:.0f} s", file=sys.stderr)
    payload = {
        "generated": datetime.now().isoformat(timespec="seconds"),
        "index_build": assistant.library.build_id,
        "runtime_s": time.perf_counter() - started,
        "index_s": index_s,
        "systems": {
            name: {"description": DESCRIPTIONS.get(name, name), "summary": summarize_all(res, left_out or [])} for name, res in results.items()
        },
    }
    return payload, results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--"]:  # `assistant eval -- --baselines` passes the separator through
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    try:
        items = load_gold(args.gold)
        thresholds = load_thresholds(args.thresholds) if args.check_thresholds else None
    except (GoldError, OSError, ValueError) as err:
        print(err, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="eval-index-") as tmp:
        settings = Settings(index_dir=args.index_dir or Path(tmp) / "index")
        corpora = [c.resolve() for c in args.corpus] if args.corpus else [settings.corpus_dir]
        shown_corpora = list(corpora)
        if args.render:
            corpora, items = rendered(corpora, items, RENDERINGS[args.render], Path(tmp) / "rendered")
        print(f"index: {settings.index_dir} (corpus {', '.join(map(str, corpora))})", file=sys.stderr)
        try:
            payload, results = evaluate(settings, items, args.baselines, held_out(args.splits, args.gold), corpora)
        except GoldError as err:
            print(f"{args.gold}: {err}", file=sys.stderr)
            return 2
    payload = {"gold": _shown(args.gold), "corpus": " + ".join(_shown(c) for c in shown_corpora)} | payload
    if args.render:
        payload["rendering"] = args.render
    breaches: list[str] = []
    if thresholds is not None:
        others = {name: s["summary"] for name, s in payload["systems"].items() if name != "ours"}
        breaches = check(payload["systems"]["ours"]["summary"], thresholds, others)
        payload["gate"] = {"thresholds": _shown(args.thresholds), "breaches": breaches}
    json_path, md_path = write_report(args.out, payload, results)
    if args.publish:
        shutil.copyfile(md_path, args.publish)
    _print_headline(payload)
    print(f"wrote {json_path} and {md_path}" + (f"; published {args.publish}" if args.publish else ""))
    if args.same_as is not None and not _same_answers(json.loads(json_path.read_text(encoding="utf-8")), args.same_as, args.tolerance, items):
        return 1
    if thresholds is None:
        return 0
    if breaches:
        print(f"GATE FAILED: {len(breaches)} threshold(s) breached:")
        print("\n".join(f"  {b}" for b in breaches))
        return 1
    print("gate passed")
    return 0


def rendered(corpora: list[Path], items: list[GoldItem], rendering: Rendering, folder: Path) -> tuple[list[Path], list[GoldItem]]:
    """Every document of `corpora` re-rendered into `folder` (one subfolder per corpus), and the
    gold items pointed at the rendered files (a rendering may change a file's suffix)."""
    names: dict[str, str] = {}
    out: list[Path] = []
    for index, corpus in enumerate(corpora):
        target = folder / f"{index}-{corpus.name}"
        names |= render_folder(corpus, rendering, target)
        out.append(target)
    print(f"rendered {len(names)} documents as {rendering.name} into {folder}", file=sys.stderr)
    return out, [replace(item, sources=tuple(names.get(s, s) for s in item.sources)) for item in items]


def _same_answers(payload: dict[str, Any], plain: Path, tolerance: float, items: list[GoldItem] | None = None) -> bool:
    """Fact recall of this run against the plain run's report (`--same-as`). A rendering whose
    text lost tone marks by construction (`ocr`) is compared accent-insensitively, on the answers
    of both reports: its quotes are the document's words as that copy spells them."""
    import json

    before_report = json.loads(plain.read_text(encoding="utf-8"))
    if payload.get("rendering") == "ocr" and items is not None:
        before, after = folded_recall(before_report, items), folded_recall(payload, items)
    else:
        before = before_report["systems"]["ours"]["summary"]["overall"]["fact_recall"]
        after = payload["systems"]["ours"]["summary"]["overall"]["fact_recall"]
    same = after >= before - tolerance
    print(f"fact recall {after:.3f} against {before:.3f} in {plain}: " + ("same answers" if same else f"DROPPED by more than {tolerance}"))
    return same


def folded_recall(report: dict[str, Any], items: list[GoldItem]) -> float:
    """Fact recall of a report's answers with every phrase compared without accents."""
    from assistant.text import fold

    gold = {item.id: item for item in items if item.answerable}
    shares = []
    for row in report["systems"]["ours"]["items"]:
        item = gold.get(row["id"])
        if item is None or not item.must_include:
            continue
        answer = " ".join(fold(row.get("answer") or "").split())
        shares.append(sum(any(" ".join(fold(p).split()) in answer for p in group) for group in item.must_include) / len(item.must_include))
    return sum(shares) / len(shares) if shares else 0.0


def _shown(path: Path) -> str:
    """Paths inside the project are shown relative to it, so the published report is portable."""
    try:
        return str(path.resolve().relative_to(HERE.parent))
    except ValueError:
        return str(path)


def _print_headline(payload: dict[str, Any]) -> None:
    keys = ["hit_at_5", "mrr", "fact_recall", "full_answer_rate", "answer_chars_median", "quote_fidelity",
            "correct_abstention", "false_abstention", "latency_ms_median"]
    names = list(payload["systems"])
    print(f"{'':34}" + "".join(f"{n:>15}" for n in names))
    for key in keys:
        label, kind = METRICS[key]
        print(f"{label:34}" + "".join(f"{fmt(payload['systems'][n]['summary']['overall'].get(key), kind):>15}" for n in names))


if __name__ == "__main__":
    sys.exit(main())
