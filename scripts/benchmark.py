"""Speed and memory figures, printed (never asserted): build, incremental rebuild, warm ask latency.

Ratios are against baselines run in the same process on the same machine: the dense-only
retriever for retrieval latency, and a full rebuild for the incremental one.

    .venv/bin/python scripts/benchmark.py [--questions eval/gold.jsonl] [--n 50]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from assistant.index.library import Library


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument(
        "--scale", type=int, default=0,
        help="also build an archive of K variants of every corpus file (other provinces, earlier years) "
        "and report warm-ask latency on it as a ratio to the bundled corpus (about 40 s of embedding per K)",
    )
    args = parser.parse_args()
    from assistant.service import PolicyAssistant

    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = (questions * (args.n // max(1, len(questions)) + 1))[: args.n]

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp) / "index", data_dir=Path(tmp) / "data")
        assistant = PolicyAssistant(settings)
        started = time.perf_counter()
        _ = assistant.embed_model
        model_load = time.perf_counter() - started

        started = time.perf_counter()
        report = assistant.ingest(show_progress=False)
        build = time.perf_counter() - started
        started = time.perf_counter()
        again = assistant.ingest(show_progress=False)
        noop = time.perf_counter() - started

        started = time.perf_counter()
        engine = assistant.engine
        engine.ask("Sở Y tế phải làm gì?")  # warm-up: index load, pyvi, caches
        first = time.perf_counter() - started

        latencies: list[float] = []
        for question in questions:
            t = time.perf_counter()
            engine.ask(question)
            latencies.append((time.perf_counter() - t) * 1000)

        dense = assistant.retriever(assistant.library, mode="dense")
        hybrid = assistant.retriever(assistant.library, mode="hybrid")
        timings: dict[str, list[float]] = {"dense": [], "hybrid": []}
        for question in questions:
            for name, retriever in (("dense", dense), ("hybrid", hybrid)):
                t = time.perf_counter()
                retriever.retrieve(question)
                timings[name].append((time.perf_counter() - t) * 1000)

        archive = measure_archive(assistant.library, settings, questions, args.scale, Path(tmp)) if args.scale else None

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chunks = report.nodes_embedded
    print(f"model load                 {model_load * 1000:8.0f} ms")
    print(f"index build (cold)         {build:8.1f} s   ({chunks} chunks, {chunks / build:.1f} chunks/s)")
    print(f"re-ingest, nothing changed {noop * 1000:8.0f} ms  embedded {again.nodes_embedded}  (ratio to cold build {noop / build:.4f})")
    print(f"first ask (loads index)    {first * 1000:8.0f} ms")
    print(f"warm ask over {len(latencies)} questions  median {statistics.median(latencies):6.0f} ms   p95 {percentile(latencies, 0.95):6.0f} ms")
    d_med, h_med = statistics.median(timings["dense"]), statistics.median(timings["hybrid"])
    print(f"retrieval median           dense-only {d_med:6.1f} ms   hybrid {h_med:6.1f} ms   (hybrid/dense {h_med / d_med:.2f}x)")
    print(f"peak resident memory       {rss_mb:8.0f} MB")
    if archive:
        docs, nodes, build_s, lat = archive
        med, p95 = statistics.median(lat), percentile(lat, 0.95)
        print(f"archive of {docs} documents ({nodes} chunks): build {build_s:.0f} s; warm ask median {med:6.0f} ms   "
              f"p95 {p95:6.0f} ms   (median ratio to bundled corpus {med / statistics.median(latencies):.2f}x)")


def measure_archive(library: Library, settings: Settings, questions: list[str], scale: int, tmp: Path) -> tuple[int, int, float, list[float]]:
    """A province archive stand-in: each text file of the corpus again under another province and
    earlier years, so the documents differ in place and time like a real archive's plans do."""
    from assistant.places import known_provinces
    from assistant.service import PolicyAssistant

    corpus = tmp / "archive"
    corpus.mkdir()
    files = sorted(p for p in settings.corpus_dir.iterdir() if p.is_file())
    for p in files:
        (corpus / p.name).write_bytes(p.read_bytes())
    others = [p for p in known_provinces() if p not in library.provinces]
    for k in range(scale):
        province = others[k % len(others)]
        for p in (f for f in files if f.suffix.lower() in (".txt", ".md")):  # PDF/DOCX are copied only
            text = p.read_text(encoding="utf-8")
            for home in library.provinces:
                text = text.replace(home, province)
            for year in library.years:
                text = text.replace(str(year), str(year - 1 - k))
            (corpus / f"{p.stem}-v{k + 1}{p.suffix}").write_text(text, encoding="utf-8")
    archive_settings = settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp / "archive-index"})
    assistant = PolicyAssistant(archive_settings)
    started = time.perf_counter()
    report = assistant.ingest(show_progress=False)
    build = time.perf_counter() - started
    engine = assistant.engine
    engine.ask("Sở Y tế phải làm gì?")
    latencies = []
    for question in questions:
        t = time.perf_counter()
        engine.ask(question)
        latencies.append((time.perf_counter() - t) * 1000)
    return len(assistant.library.documents), report.nodes_embedded, build, latencies


if __name__ == "__main__":
    main()
