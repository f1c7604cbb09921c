"""Shared fixtures: one real index (real model, real Chroma) built once per test session."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.query.diacritics import DiacriticRestorer

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPUS = PROJECT_ROOT / "corpus"
OUTPUT = PROJECT_ROOT / "tests" / "output"


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.iterdir()) if p.is_file()]


@lru_cache(maxsize=1)
def corpus_restorer() -> DiacriticRestorer:
    """The restorer an index of the bundled corpus fits, without building the index."""
    return DiacriticRestorer().fit(corpus_texts())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled corpus, so tests may add or remove files."""
    target = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.iterdir():
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory, corpus_copy: Path) -> Settings:
    """Settings whose index over the bundled corpus is built (once) and ready."""
    from assistant.service import PolicyAssistant

    root = tmp_path_factory.mktemp("built")
    settings = Settings(corpus_dir=corpus_copy, index_dir=root / "index", data_dir=root / "data")
    PolicyAssistant(settings).ingest(show_progress=False)
    return settings


@pytest.fixture(scope="session")
def assistant(built_settings: Settings) -> Iterator[object]:
    from assistant.service import PolicyAssistant

    yield PolicyAssistant(built_settings)


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
