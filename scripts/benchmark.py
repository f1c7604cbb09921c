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

from assistant.config import PROJECT_ROOT, Settings, disable_telemetry


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    disable_telemetry()
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


if __name__ == "__main__":
    main()
