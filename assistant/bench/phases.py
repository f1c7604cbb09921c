"""One measured phase per process, so each peak RSS is that phase's own (a Python process never
gives memory back): `python -m assistant.bench.phases PHASE [ARG…]` prints one JSON object.

Settings come from `ASSISTANT_*` variables, as for every entry point.

- build: from an empty index folder, a full build of the archive's folders (several for the real
  archive), then a second full build of the unchanged folders (both through the embedding cache:
  the second must embed nothing); the index's size is taken after each.
- serve: open the live build, one warm-up question, then every question of the files given, with
  the engine's own per-stage timings.
- model: the embedding model alone (no cache) over a sample of the corpus's chunk texts, then a
  cold build of the documents those texts come from with an empty private cache: the same texts
  through the whole pipeline.
- quickstart: llama-index's quickstart pipeline (eval/baselines.py) over the same folder and
  questions, its vectors through the same cache.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def read_questions(paths: list[Path]) -> list[str]:
    questions = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(str(json.loads(line)["question"]))
    return questions


def build(settings: Settings, folders: list[Path]) -> dict[str, Any]:
    from assistant.service import PolicyAssistant

    if not settings.chroma_host:  # each run starts from an empty index: "one build" is one build
        shutil.rmtree(settings.index_dir, ignore_errors=True)
    assistant = PolicyAssistant(settings)
    started = time.perf_counter()
    _ = assistant.embed_model
    model_load = time.perf_counter() - started
    first = assistant.ingest(folders or None, show_progress=False, rebuild=True, replace=True)
    one_build = folder_bytes(settings.index_dir)
    second = assistant.ingest(folders or None, show_progress=False, rebuild=True, replace=True)  # the same archive, built in full again
    manifest = assistant.store.current_manifest()
    assert manifest is not None
    chunks = sum(int(e.get("node_count", 0)) for e in manifest.documents.values())
    return {
        "documents": len(manifest.documents), "chunks": chunks, "model_load_s": model_load,
        "build_s": first.seconds, "embedded": first.nodes_embedded, "reused": first.nodes_reused,
        "rebuild_s": second.seconds, "rebuild_embedded": second.nodes_embedded,
        "index_bytes_one_build": one_build if not settings.chroma_host else None,
        "index_bytes": folder_bytes(settings.index_dir) if not settings.chroma_host else folder_bytes(assistant.store.build_dir(manifest.build_id)),
        "peak_rss_mb": peak_rss_mb(),
    }


def serve(settings: Settings, question_files: list[Path]) -> dict[str, Any]:
    from assistant.answering.engine import QuestionRejected
    from assistant.query.nonsense import NotAQuestion
    from assistant.service import PolicyAssistant

    questions = read_questions(question_files)
    # A staff member's question is new: its vector comes from the model, not from the cache of
    # earlier runs (passage vectors are in Chroma and need no cache).
    scratch = tempfile.TemporaryDirectory()
    settings = settings.model_copy(update={"embedding_cache": Path(scratch.name) / "queries.sqlite3"})
    started = time.perf_counter()
    engine = PolicyAssistant(settings).engine
    engine.ask("Sở Y tế phải làm gì?")
    first_answer = time.perf_counter() - started
    stages: dict[str, list[float]] = {}
    refused = 0
    for question in questions:
        t = time.perf_counter()
        try:
            timings = dict((engine.ask(question).metadata or {}).get("timings_ms", {}))
        except (QuestionRejected, NotAQuestion):
            refused += 1
            continue
        timings["wall"] = (time.perf_counter() - t) * 1000
        for stage, ms in timings.items():
            stages.setdefault(stage, []).append(float(ms))
    return {"questions": len(questions), "refused": refused, "open_and_first_answer_s": first_answer,
            "stages_ms": stages, "peak_rss_mb": peak_rss_mb()}


def model(settings: Settings, sample_documents: int) -> dict[str, Any]:
    """Throughput of the model alone, then of a cold build over exactly the same texts."""
    from assistant.index.embedding import build_embedding
    from assistant.index.ingest import discover_files, embed_text
    from assistant.index.library import Library
    from assistant.service import PolicyAssistant

    files = sorted(discover_files([settings.corpus_dir]), key=lambda p: p.stat().st_size)[:sample_documents]
    library = Library.from_files(files)
    texts = list(dict.fromkeys(embed_text(n) for n in library.nodes.values()))
    inner = build_embedding(settings).inner
    inner.get_text_embedding_batch(texts[:2])  # first call: the runtime's own warm-up
    batch = max(1, settings.embedding_batch_size)

    cpu: list[float] = []  # CPU seconds of this process (all threads): what other work on the machine does not move

    def model_alone() -> float:
        started, used = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), batch):
            inner.get_text_embedding_batch(texts[start : start + batch])
        cpu.append(time.process_time() - used)
        return time.perf_counter() - started

    before = model_alone()  # the machine is shared: the model is timed before and after the build
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for path in files:
            shutil.copyfile(path, corpus / path.name)
        cold = settings.model_copy(update={"corpus_dir": corpus, "index_dir": Path(tmp) / "index", "embedding_cache": Path(tmp) / "empty.sqlite3"})
        assistant = PolicyAssistant(cold)
        _ = assistant.embed_model
        used = time.process_time()
        report = assistant.ingest(show_progress=False)
        build_cpu = time.process_time() - used
    alone = (before + model_alone()) / 2
    return {"texts": len(texts), "model_s": alone, "model_s_before_after": [before, 2 * alone - before], "model_chunks_per_s": len(texts) / alone,
            "model_cpu_s": sum(cpu) / len(cpu), "cold_build_cpu_s": build_cpu,
            "cold_build_s": report.seconds, "cold_build_embedded": report.nodes_embedded,
            "cold_build_chunks_per_s": report.nodes_embedded / report.seconds}


def quickstart(settings: Settings, question_files: list[Path], folders: list[Path]) -> dict[str, Any]:
    from assistant.index.embedding import build_embedding

    from eval.baselines import QuickstartIndex

    embed_model = build_embedding(settings)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index = QuickstartIndex(folders or [settings.corpus_dir], embed_model, persist_dir=Path(tmp) / "chroma")
        built = time.perf_counter() - started
        size = folder_bytes(Path(tmp) / "chroma")
        from assistant.index.embedding_cache import CachedEmbedding, EmbeddingCache

        fresh = CachedEmbedding(embed_model.inner, EmbeddingCache(Path(tmp) / "queries.sqlite3"), embed_model.identity)
        retriever = index.index.as_retriever(similarity_top_k=5, embed_model=fresh)  # new questions, as for ours
        retriever.retrieve("Sở Y tế phải làm gì?")
        latencies = []
        for question in read_questions(question_files):
            t = time.perf_counter()
            retriever.retrieve(question)
            latencies.append((time.perf_counter() - t) * 1000)
    return {"chunks": len(index.chunk_sources), "build_s": built, "embedded": embed_model.computed,
            "index_bytes": size, "ask_ms": latencies, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str]) -> int:
    """`PHASE [--folder F]… [ARG…]`: the folders an archive is made of (default: the corpus folder)."""
    settings = load_settings()
    phase, rest = argv[0], argv[1:]
    folders: list[Path] = []
    while rest[:1] == ["--folder"]:
        folders.append(Path(rest[1]))
        rest = rest[2:]
    if phase == "build":
        result = build(settings, folders)
    elif phase == "serve":
        result = serve(settings, [Path(p) for p in rest])
    elif phase == "model":
        result = model(settings, int(rest[0]) if rest else 3)
    elif phase == "quickstart":
        result = quickstart(settings, [Path(p) for p in rest], folders)
    else:
        raise SystemExit(f"không có giai đoạn đo {phase!r} (build, serve, model, quickstart)")
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (Chroma and tokenizer threads): the figures are written


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
