"""The scale benchmark: its archive is made of distinct documents that cost few new embeddings,
and its short CI run works end to end (real model, real Chroma, real processes)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from llama_index.core import SimpleDirectoryReader
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode

from assistant.bench.archive import Plan, write_archive
from assistant.config import PROJECT_ROOT
from assistant.documents.load import load_file, to_document
from assistant.documents.structure import SectionNodeParser
from assistant.index.ingest import discover_files, embed_text
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plans = [Plan.read(p) for p in discover_files([CORPUS])]
    return write_archive(tmp_path_factory.mktemp("archive"), 30, plans, [])


def _ours(path: Path) -> list[str]:
    return [embed_text(n) for n in SectionNodeParser().parse_document(to_document(load_file(path)))]


def _quickstart(path: Path) -> list[str]:
    documents = SimpleDirectoryReader(input_files=[str(path)]).load_data()
    for document in documents:  # as eval/baselines.py reads them
        document.excluded_embed_metadata_keys.append("file_path")
        document.excluded_llm_metadata_keys.append("file_path")
    return [n.get_content(metadata_mode=MetadataMode.EMBED) for n in SentenceSplitter().get_nodes_from_documents(documents)]


def test_archive_holds_distinct_documents_of_many_provinces(archive: Path) -> None:
    files = discover_files([archive])
    assert len(files) == 30
    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in files}) == 30  # no copies
    provinces = {to_document(load_file(p)).metadata.get("province") for p in files}
    assert len(provinces) >= 8, provinces


def test_a_variant_costs_few_new_embeddings_in_either_pipeline(archive: Path) -> None:
    """Both pipelines' chunks stay the plan's own except around what changed: the quickstart's
    1024-token windows keep their boundaries (replacements keep each line's token count)."""
    bases = {p.name: (set(_ours(p)), _quickstart(p)) for p in discover_files([CORPUS])}
    for path in discover_files([archive]):
        if path.name in bases:
            continue
        base = next(name for name in bases if f"-tu-{Path(name).stem}" in path.name)
        ours, quick = _ours(path), _quickstart(path)
        assert sum(text not in bases[base][0] for text in ours) <= 12, path.name
        assert len(quick) == len(bases[base][1]), path.name  # same windows
        assert sum(a != b for a, b in zip(quick, bases[base][1])) <= 6, path.name


def test_quick_benchmark_prints_the_table_and_a_second_build_embeds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "scripts/benchmark.py", "--quick", "--no-quickstart", "--sample-documents", "1",
         "--questions", "eval/gold.jsonl", "--json", str(out), "--work", str(tmp_path / "runs")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| bundled |" in done.stdout and "Targets (printed, not asserted):" in done.stdout
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    [row] = summary["rows"]
    assert row["documents"] == len(discover_files([CORPUS])) and row["chunks"] > 100
    assert row["rebuild_embedded"] == 0  # the same archive built in full again: every vector from the cache
    assert row["questions"] >= 100 and all(row[f"{stage}_p50"] > 0 for stage in ("read", "understand", "retrieve", "answer", "total"))
    assert row["rss_serve_mb"] > 100 and row["index_mb"] > 0 and row["cold_start_s"] > 0
    assert summary["model"]["model_chunks_per_s"] > 0 and summary["model"]["cold_build_embedded"] > 0
    assert {label.split(" ")[0] for label, _, _ in summary["targets"]} >= {"warm", "cold"}
