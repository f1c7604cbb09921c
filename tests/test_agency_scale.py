"""An agency question on an archive of many provinces' plans: a readable answer from the
documents in force and each issuer's most recent plan, the others counted and listed, each
of them reachable by a follow-up question, and the list folded behind "Xem thêm" in the web chat.
Documents parsed in memory (no embedding model, no Chroma)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answering.answerers.agency import MAX_DOCUMENTS
from assistant.answering.engine import PolicyQueryEngine
from assistant.bench.archive import Plan, write_archive
from assistant.config import Settings
from assistant.index.ingest import discover_files
from assistant.index.library import Library
from assistant.present.views import stream_answer
from assistant.query.retrieve import HybridRetriever
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PolicyQueryEngine]:
    plans = [Plan.read(p) for p in discover_files([CORPUS])]
    folder = write_archive(tmp_path_factory.mktemp("archive"), 40, plans, [])
    library = Library.from_files(discover_files([folder]))
    settings = Settings()
    yield PolicyQueryEngine(library, HybridRetriever(library, None, settings, mode="bm25"), settings)


def _assigning(engine: PolicyQueryEngine, key_part: str) -> set[str]:
    library = engine.library
    return {str(library.nodes[nid].metadata["source"]) for key, ids in library.agency_blocks.items() if key_part in key for nid in ids}


def test_agency_answer_quotes_few_documents_and_lists_the_others(engine: PolicyQueryEngine) -> None:
    response = engine.ask("Sở Y tế phải làm gì?")
    meta = response.metadata or {}
    assert meta["answerer"] == "agency"
    quoted = {c["source"] for c in meta["citations"] if c["section"] and "Sở Y tế" in (c.get("heading_path") or "")}
    assert 1 <= len(quoted) <= MAX_DOCUMENTS
    library = engine.library
    issuers = [(library.documents[s].issuer, library.documents[s].province) for s in quoted]
    assert len(set(issuers)) == len(issuers)  # one plan per issuer: its most recent
    assigning = _assigning(engine, "so y te")
    match = re.search(r"\*\*Còn (\d+) văn bản khác cũng giao nhiệm vụ cho Sở Y tế\*\*", response.response or "")
    assert match, response.response[-1500:]
    listed = [line for line in (response.response or "")[match.end():].split("\n") if line.startswith("- ")]
    assert int(match.group(1)) == len(assigning - quoted) == len(listed)
    assert len(response.response or "") < 12_000  # readable, however many documents assign tasks
    final = list(stream_answer(response.response or "", meta["citations"]))[-1]
    assert '<details class="more"><summary>Xem thêm' in final  # the web chat folds long parts


def test_a_listed_document_opens_with_a_follow_up_question(engine: PolicyQueryEngine) -> None:
    first = engine.ask("Sở Y tế phải làm gì?")
    quoted = {c["source"] for c in (first.metadata or {})["citations"]}
    library = engine.library
    other = next(s for s in sorted(_assigning(engine, "so y te") - quoted)
                 if library.documents[s].province and sum(d.province == library.documents[s].province for d in library.documents.values()) == 1)
    province = library.documents[other].province
    assert library.documents[other].title in (first.response or "")  # named in the list
    again = engine.ask(f"Ở {province}, Sở Y tế phải làm gì?")
    assert {c["source"] for c in (again.metadata or {})["citations"]} == {other}
