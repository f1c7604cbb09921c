"""The scale benchmark: its archive is made of distinct documents that cost few new embeddings,
and its table and checks. The short run itself, end to end, is scripts/test.sh's (once per CI)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import SimpleDirectoryReader
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode

from assistant.bench.archive import Plan, write_archive
from assistant.bench.report import render, summarize
from assistant.bench.run import problems
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


def test_an_archive_larger_than_its_variations_still_holds_no_copies(tmp_path: Path) -> None:
    """A plan whose header names no province, number or year has few variations (the provinces that
    fit its lines, three years): past them a variant gets other day and month figures instead of
    repeating another document (216 of 500 were copies, refused by ingest)."""
    plans = [Plan.read(p) for p in discover_files([CORPUS])]
    files = discover_files([write_archive(tmp_path, 160, plans, [])])
    assert len(files) == 160
    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in files}) == 160


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


def _results(rebuild_embedded: int) -> dict[str, Any]:
    """A run's figures as the phases write them (scripts/test.sh runs the real short benchmark)."""
    stages = {stage: [10.0, 20.0, 30.0] for stage in ("read", "understand", "retrieve", "answer", "total")}
    return {
        "model": {"texts": 12, "model_s": 3.0, "model_chunks_per_s": 4.0, "model_cpu_s": 5.0, "cold_build_cpu_s": 5.2,
                  "cold_build_s": 3.2, "cold_build_embedded": 12, "cold_build_chunks_per_s": 3.75, "load": 1.0},
        "archives": [{
            "name": "bundled", "load_before": 1.0, "load_after": 1.2, "cold_start_s": 2.5,
            "build": {"documents": 5, "chunks": 160, "build_s": 5.0, "embedded": 0, "reused": 160, "rebuild_s": 4.0,
                      "rebuild_embedded": rebuild_embedded, "index_bytes": 5 * 2**20, "peak_rss_mb": 300.0},
            "serve": {"questions": 3, "refused": 0, "stages_ms": stages, "peak_rss_mb": 350.0},
            "quickstart": {"chunks": 60, "build_s": 2.0, "embedded": 0, "index_bytes": 2**20, "peak_rss_mb": 400.0,
                           "ask_ms": [15.0, 15.0, 15.0]},
        }],
    }


def test_the_table_prints_every_figure_with_ratios_and_targets_and_check_fails_only_on_invariants() -> None:
    summary = summarize(_results(rebuild_embedded=0))
    table = render(summary)
    assert "| bundled | 5 | 160 |" in table and "Targets (printed, not asserted):" in table
    [row] = summary["rows"]
    assert row["ratios"]["ask_p50"] == 1.33 and row["ratios"]["index_size"] == 5.0
    assert [label.split(" ")[0] for label, _, _ in summary["targets"]][:2] == ["warm", "cold"]
    assert problems(summary) == []  # a missed speed target is printed, never a failure
    assert problems(summarize(_results(rebuild_embedded=3))) == ["bundled: lần dựng đầy đủ thứ hai nhúng 3 đoạn (phải là 0)"]
