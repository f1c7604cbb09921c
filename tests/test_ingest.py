"""Ingest: incremental re-embedding, removal, atomic builds under interruption, and uploads that change nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.documents.load import DocumentRejected
from assistant.service import PolicyAssistant
from tests.conftest import CORPUS

SMALL = ["sonla-vp-ubnd-2024-ke-hoach.txt", "tuyenquang-2023-thang-hanh-dong.md"]


def small_settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / name, corpus / name)
    # A private embedding cache: these tests count what the model embeds.
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", data_dir=tmp_path / "data", embedding_cache=tmp_path / "cache.sqlite3")


def test_unchanged_corpus_embeds_nothing_and_changes_embed_only_what_changed(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    assistant = PolicyAssistant(settings)
    first = assistant.ingest(show_progress=False)
    assert first.changed and first.nodes_embedded > 0 and first.nodes_reused == 0
    assert sorted(first.added) == sorted(SMALL)

    again = assistant.ingest(show_progress=False)
    assert not again.changed and again.nodes_embedded == 0 and again.build_id == first.build_id

    # Another index on the same machine (the eval's temporary one, a test's) embeds nothing either.
    elsewhere = PolicyAssistant(settings.model_copy(update={"index_dir": tmp_path / "other-index"})).ingest(show_progress=False)
    assert elsewhere.changed and elsewhere.nodes_embedded == 0 and elsewhere.nodes_reused == first.nodes_embedded

    # A new section early in the plan shifts every later chunk's position: only new text is embedded.
    plan = settings.corpus_dir / SMALL[0]
    text = plan.read_text(encoding="utf-8")
    part_two = text.index(" II. NHIỆM VỤ")
    plan.write_text(text[:part_two] + "3. Bổ sung\nCác phòng báo cáo đột xuất khi có yêu cầu.\n\n" + text[part_two:], encoding="utf-8")
    changed = assistant.ingest(show_progress=False)
    assert changed.updated == [SMALL[0]] and changed.unchanged == [SMALL[1]]
    assert changed.nodes_reused >= assistant.library.documents[SMALL[1]].node_count
    assert 0 < changed.nodes_embedded <= 2, changed

    assistant.store.client.create_collection("another-index-on-this-server")
    (settings.corpus_dir / SMALL[1]).unlink()
    removed = assistant.ingest(show_progress=False)
    assert removed.removed == [SMALL[1]]
    assert list(assistant.library.documents) == [SMALL[0]]
    # The live build and the one it replaced (questions may still run on it) stay; older ones go,
    # and so do their collections, but not another index's.
    builds = sorted(p.name for p in (settings.index_dir / "builds").iterdir())
    assert builds == sorted([changed.build_id, removed.build_id])
    collections = {c.name for c in assistant.store.client.list_collections()}
    assert collections == {assistant.library.manifest.collection, f"{settings.collection_prefix}-{changed.build_id}".lower(), "another-index-on-this-server"}


def test_killed_build_leaves_previous_index_answering(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    PolicyAssistant(settings).ingest(show_progress=False)
    pointer = (settings.index_dir / "CURRENT").read_text()
    for name in ("sonla-2023-thang-hanh-dong.txt", "sonla-nghi-quyet-khong-ma-tuy-2030.md"):
        shutil.copy(CORPUS / name, settings.corpus_dir / name)  # enough new text to keep the embedder busy

    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_EMBEDDING_CACHE": str(settings.embedding_cache)}
    build = subprocess.Popen([sys.executable, "-m", "assistant.present.cli", "ingest"], env=env, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert build.stderr is not None
    seen = b""
    deadline = time.time() + 120
    while b"/" not in seen.split(b"Nh")[-1] and time.time() < deadline:  # the embedding progress bar has started
        seen += build.stderr.read1(256)
    time.sleep(1.0)
    assert build.poll() is None, "the build finished before it could be interrupted"
    build.send_signal(signal.SIGKILL)
    build.wait()

    assert (settings.index_dir / "CURRENT").read_text() == pointer
    assistant = PolicyAssistant(settings)
    response = assistant.engine.ask("Sở Y tế Tuyên Quang phải làm gì?")
    assert not response.metadata["abstained"]
    assert {c["source"] for c in response.metadata["citations"]} == {"tuyenquang-2023-thang-hanh-dong.md"}
    assert sorted(assistant.library.documents) == sorted(SMALL)

    finished = assistant.ingest(show_progress=False)  # the next build cleans up and completes
    assert finished.changed and len(assistant.library.documents) == 4


def test_uploads_that_are_bad_change_nothing(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    assistant = PolicyAssistant(settings)
    assistant.ingest(show_progress=False)
    before = (settings.index_dir / "CURRENT").read_text()
    corpus_before = sorted(p.name for p in settings.corpus_dir.iterdir())

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    cases = {
        "trong.txt": b"",
        "hong.pdf": b"%PDF-1.7\n%%EOF garbage",
        "tcvn3.txt": "Kế hoạch".encode("utf-8")[:2] + b"\xa7\xb5\xe0 \xbb\xa8 ph\xdfng ch\xe8ng ma t\xf3y",
        "ban-sao.md": (CORPUS / SMALL[1]).read_bytes(),  # same content under another name
        SMALL[0]: b"Noi dung khac hoan toan nhung trung ten tep voi tai lieu da co.",
    }
    for name, content in cases.items():
        path = uploads / name
        path.write_bytes(content)
        with pytest.raises(DocumentRejected):
            assistant.add_document(path)
    assert (settings.index_dir / "CURRENT").read_text() == before
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == corpus_before


def test_good_upload_is_indexed_incrementally(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    assistant = PolicyAssistant(settings)
    assistant.ingest(show_progress=False)
    upload = tmp_path / "bien-gioi.txt"
    shutil.copy(CORPUS / "sonla-2023-bien-gioi-lao.txt", upload)
    progress: list[float] = []
    report = assistant.add_document(upload, progress=lambda fraction, message: progress.append(fraction))
    assert report.added == ["bien-gioi.txt"] and report.nodes_reused > 0
    assert progress and progress[-1] == 1.0
    response = assistant.engine.ask("Sở Ngoại vụ phải làm gì?")
    assert {c["source"] for c in response.metadata["citations"]} == {"bien-gioi.txt"}
