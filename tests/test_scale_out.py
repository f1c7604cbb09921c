"""The scale-out path, run for real: one `chroma run` server on 127.0.0.1, an index built by a
separate builder process, two web workers (`python app.py`) answering from it at once, and a new
document ingested by the builder reaching both workers without a restart."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from assistant.bench.archive import Plan, Variant, default_tokenizer, make_variant
from assistant.config import PROJECT_ROOT
from tests.conftest import CORPUS, free_port
from tests.test_backends import chroma_server  # noqa: F401  (the fixture: a real server on a free port)

QUESTIONS = ("Sở Y tế phải làm gì?", "Hạn báo cáo kết quả Tháng hành động ở Sơn La là ngày nào?",
             "Mục tiêu xây dựng tỉnh Sơn La không ma túy vào năm nào?")


def _env(tmp_path: Path, port: int, chroma_port: int) -> dict[str, str]:
    """One deployment's settings, as every process of it reads them (ASSISTANT_*)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")},
        "ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus"), "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_DATA_DIR": str(tmp_path / f"data-{port}"), "ASSISTANT_CHROMA_HOST": "127.0.0.1",
        "ASSISTANT_CHROMA_PORT": str(chroma_port), "ASSISTANT_PORT": str(port), "PYTHONPATH": str(PROJECT_ROOT),
        "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
    }


def _builder(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant.present.cli", "ingest", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=900)


def _wait_for_port(port: int, worker: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"worker on port {port} exited with {worker.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"worker on port {port} did not start")


@pytest.fixture
def deployment(tmp_path: Path, chroma_server: int) -> Iterator[tuple[list[str], dict[str, str]]]:  # noqa: F811
    """The bundled corpus built into the Chroma server by a builder process, and two workers."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    ports = [free_port(), free_port()]
    builder_env = _env(tmp_path, 0, chroma_server)
    built = _builder(builder_env)
    assert built.returncode == 0, built.stderr
    assert not (tmp_path / "index" / "chroma").exists()  # the vectors are in the server
    workers = [
        subprocess.Popen([sys.executable, "app.py"], env=_env(tmp_path, port, chroma_server), cwd=PROJECT_ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    try:
        for port, worker in zip(ports, workers):
            _wait_for_port(port, worker)
        yield [f"http://127.0.0.1:{port}/" for port in ports], builder_env
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _ask(url: str, question: str) -> tuple[float, str, list[dict[str, Any]]]:
    started = time.perf_counter()
    messages, citations = Client(url, verbose=False).predict(question, api_name="/chat")
    answer = str(messages[0]["content"]) if messages else ""
    return time.perf_counter() - started, answer, list(citations or [])


def test_two_workers_answer_from_one_chroma_server_and_see_a_new_document(deployment) -> None:  # type: ignore[no-untyped-def]
    urls, builder_env = deployment
    # Both workers at once, each question to both.
    jobs = [(url, q) for q in QUESTIONS for url in urls]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: _ask(*job), jobs))
    by_question: dict[str, list[tuple[str, list[str]]]] = {}
    for (url, question), (seconds, answer, citations) in zip(jobs, results):
        assert citations, (url, question, answer)
        by_question.setdefault(question, []).append((answer, [f"{c['source']}#{c['section']}" for c in citations]))
        print(f"\n{url} {seconds * 1000:.0f} ms (concurrent): {question}")
    for question, answers in by_question.items():
        assert answers[0] == answers[1], question  # one index, one answer, whichever worker serves it

    # A new document: the builder indexes it (a new build and collection, CURRENT switched);
    # each worker notices the new build on its next question, without a restart.
    plan = Plan.read(CORPUS / "tuyenquang-2023-thang-hanh-dong.md")
    variant = Variant(plan, 1, "Lào Cai", 0)
    new = Path(builder_env["ASSISTANT_CORPUS_DIR"]).parent / "incoming" / "laocai-2023-thang-hanh-dong.md"
    new.parent.mkdir()
    new.write_text(make_variant(plan.path.read_text(encoding="utf-8"), variant, default_tokenizer()), encoding="utf-8")
    added = _builder(builder_env, str(new))
    assert added.returncode == 0, added.stderr
    for url in urls:
        _, answer, citations = _ask(url, "Ở Lào Cai, Sở Y tế phải làm gì?")
        assert {c["source"] for c in citations} == {new.name}, (url, answer)
