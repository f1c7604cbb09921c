"""The scale benchmark: `scripts/benchmark.py` and `assistant bench` (same options).

For each archive (the bundled corpus, then N = 50, 200, 500 documents made by `bench.archive`,
then the real archive: the bundled plans, the development documents and ~1,000 texts of every
subject from `../shared/corpus-scale`, read in place): build time and chunks/s against the model's own throughput measured in the
same run, index size on disk, peak RSS building and serving, cold start to first answer, warm
`ask` p50/p95 per stage over the gold questions, and the llama-index quickstart pipeline on the
same documents and questions, each figure also as a ratio ours/quickstart. Targets are printed,
never asserted. Every phase runs in its own process (see `bench.phases`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.bench.report import render, summarize
from assistant.config import PROJECT_ROOT, Settings, load_settings

GOLD = [PROJECT_ROOT / "eval" / "gold.jsonl", PROJECT_ROOT / "eval" / "gold_dev.jsonl"]
SHARED = PROJECT_ROOT.parent / "shared"
NATIONAL = SHARED / "corpus-dev"
# The real archive: the bundled plans, every development document and ~1,000 texts of every
# subject (news, studies, decisions), read where they are (never copied into the project).
REAL = [SHARED / "corpus-dev", SHARED / "corpus-dev-2", SHARED / "corpus-scale"]
COLD_QUESTION = "Sở Y tế phải làm gì?"


def settings_env(settings: Settings) -> dict[str, str]:
    """The child's environment: these settings as `ASSISTANT_*` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_EMBEDDING_CACHE": str(settings.embedding_cache),
        "ASSISTANT_EMBEDDING_BACKEND": settings.embedding_backend, "ASSISTANT_COLLECTION_PREFIX": settings.collection_prefix,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])),
        "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1",
    })
    if settings.embedding_model:
        env["ASSISTANT_EMBEDDING_MODEL"] = settings.embedding_model
    if settings.chroma_host:
        env.update({"ASSISTANT_CHROMA_HOST": settings.chroma_host, "ASSISTANT_CHROMA_PORT": str(settings.chroma_port)})
    return env


def run_phase(settings: Settings, phase: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.bench.phases", phase, *args], env=settings_env(settings), cwd=PROJECT_ROOT,
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"giai đoạn đo {phase} thất bại:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def cold_start(settings: Settings) -> float:
    """A new `assistant ask` process over the built index: start to answer printed, in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant.present.cli", "ask", COLD_QUESTION], env=settings_env(settings),
                   cwd=PROJECT_ROOT, capture_output=True, check=True)
    return time.perf_counter() - started


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def measure(name: str, folders: list[Path], settings: Settings, work: Path, questions: list[Path], quickstart: bool) -> dict[str, Any]:
    """Every figure for one archive (made of one folder, or several read together)."""
    here = settings.model_copy(update={"corpus_dir": folders[0], "index_dir": work / f"index-{name}", "data_dir": work / "data",
                                       "collection_prefix": f"bench-{name}"})
    where = [arg for folder in folders for arg in ("--folder", str(folder))]
    figures: dict[str, Any] = {"name": name, "folders": [str(f) for f in folders], "load_before": load_average()}
    figures["build"] = run_phase(here, "build", *where)
    figures["cold_start_s"] = min(cold_start(here) for _ in range(2))
    figures["serve"] = run_phase(here, "serve", *map(str, questions))
    if quickstart:
        figures["quickstart"] = run_phase(here, "quickstart", *where, *map(str, questions))
    figures["load_after"] = load_average()
    return figures


def archives(args: argparse.Namespace) -> list[tuple[str, list[Path]]]:
    from assistant.bench.archive import Plan, write_archive
    from assistant.index.ingest import discover_files

    chosen: list[tuple[str, list[Path]]] = [("bundled", [args.corpus])]
    if args.quick:
        return chosen
    plans = [Plan.read(p) for p in sorted(discover_files([args.corpus])) if p.suffix.lower() in (".txt", ".md")]
    national = discover_files([args.national]) if args.national.exists() else []
    for n in args.n:
        chosen.append((f"n{n}", [write_archive(args.archive_dir, n, plans, national)]))
    real = [folder for folder in args.real if folder.is_dir()]
    if real:
        chosen.append(("real", [args.corpus, *real]))
    elif args.real:
        print(f"Bỏ qua kho thật: không thấy {', '.join(map(str, args.real))}", file=sys.stderr)
    return chosen


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant bench", description="Đo tốc độ và bộ nhớ ở quy mô kho văn bản của một tỉnh (in ra, không kiểm định)")
    p.add_argument("--n", type=int, nargs="*", default=[50, 200, 500], help="số văn bản của mỗi kho thử (mặc định 50 200 500)")
    p.add_argument("--quick", action="store_true", help="chỉ kho văn bản đi kèm (cho CI)")
    p.add_argument("--no-quickstart", action="store_true", help="bỏ qua đường cơ sở quickstart của llama-index")
    p.add_argument("--quickstart-skip", nargs="*", default=[], metavar="ARCHIVE",
                   help="các kho không đo quickstart (vd. real khi bộ nhớ đệm chưa có vectơ cửa sổ 1024 token của nó)")
    p.add_argument("--questions", type=Path, nargs="*", default=GOLD)
    p.add_argument("--corpus", type=Path, default=None, help="văn bản gốc (mặc định: ASSISTANT_CORPUS_DIR)")
    p.add_argument("--national", type=Path, default=NATIONAL, help="văn bản trung ương đưa vào kho thử (mặc định ../shared/corpus-dev)")
    p.add_argument("--real", type=Path, nargs="*", default=REAL,
                   help="các thư mục đọc cùng corpus thành kho thật (mặc định ../shared/corpus-dev, corpus-dev-2, corpus-scale; --real không kèm gì để bỏ)")
    p.add_argument("--archive-dir", type=Path, default=PROJECT_ROOT / "bench" / "archive", help="nơi giữ kho thử (git bỏ qua)")
    p.add_argument("--work", type=Path, default=PROJECT_ROOT / "bench" / "runs", help="chỉ mục dựng để đo")
    p.add_argument("--sample-documents", type=int, default=3, help="số văn bản nhỏ nhất dùng đo mô hình và dựng nguội")
    p.add_argument("--json", type=Path, default=PROJECT_ROOT / "bench" / "bench.json", help="nơi ghi kết quả JSON")
    p.add_argument("--check", action="store_true", help="mã thoát 1 nếu lần dựng lại lần hai vẫn phải nhúng hay không trả lời được câu nào (không xét tốc độ)")
    return p


def problems(summary: dict[str, Any]) -> list[str]:
    """What `--check` fails on (CI): the benchmark's own invariants, never a speed target."""
    found = []
    for row in summary["rows"]:
        if row["rebuild_embedded"]:
            found.append(f"{row['name']}: lần dựng đầy đủ thứ hai nhúng {row['rebuild_embedded']} đoạn (phải là 0)")
        if not row["questions"] or not row["chunks"] or not row["total_p50"] > 0:
            found.append(f"{row['name']}: không có câu trả lời hay đoạn văn nào được đo")
    if not summary["model"].get("cold_build_embedded"):
        found.append("lần dựng nguội không nhúng đoạn nào")
    return found


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    settings = settings or load_settings()
    args.corpus = (args.corpus or settings.corpus_dir).resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    questions = [q for q in args.questions if q.exists()]
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(), "archives": []}
    print(f"Đo mô hình nhúng một mình ({args.sample_documents} văn bản nhỏ nhất) … tải máy {load_average()}", file=sys.stderr)
    base = settings.model_copy(update={"corpus_dir": args.corpus})
    results["model"] = run_phase(base, "model", str(args.sample_documents)) | {"load": load_average()}
    for name, folders in archives(args):
        print(f"Đo {name} ({', '.join(map(str, folders))}) … tải máy {load_average()}", file=sys.stderr)
        results["archives"].append(measure(name, folders, settings, args.work, questions, not args.no_quickstart and name not in args.quickstart_skip))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")  # kept after each size
    summary = summarize(results)
    results["summary"] = summary
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render(summary))
    print(f"\nJSON: {args.json}")
    found = problems(summary) if args.check else []
    for problem in found:
        print(f"LỖI: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
