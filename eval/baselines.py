"""What our pipeline is measured against, in the same run and with the same embedding model.

- quickstart: llama-index's tutorial pipeline — `SimpleDirectoryReader` (plain reading), default
  `SentenceSplitter`, `VectorStoreIndex` over a fresh in-memory Chroma collection; its "answer" is
  the retrieved chunks concatenated, its citations are those chunks; it never abstains. Top-k 2 and
  5: more text means more facts found, so answer length is reported next to fact recall.
- bm25 / dense: our engine with one half of the hybrid retriever, same extractive answerer.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore

from assistant.answering.engine import PolicyQueryEngine
from assistant.index.ingest import discover_files
from assistant.service import PolicyAssistant

from eval.metrics import Outcome
from eval.runner import EngineSystem


class QuickstartIndex:
    """Built once, queried at several top-k."""

    def __init__(self, corpora: list[Path], embed_model: BaseEmbedding, persist_dir: Path | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        with contextlib.redirect_stdout(sys.stderr):  # llama-index prints a notice about MockLLM
            LlamaSettings.llm = None  # retrieval only: no LLM is loaded or called
        files = [p for p in discover_files(corpora)]  # the same documents our index reads (folder notes left out)
        documents = SimpleDirectoryReader(input_files=[str(p) for p in files]).load_data()
        for document in documents:  # the absolute path would make every chunk a new text to embed on
            document.excluded_embed_metadata_keys.append("file_path")  # each checkout and temporary
            document.excluded_llm_metadata_keys.append("file_path")  # folder, and set chunk sizes by path length
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        client = (chromadb.PersistentClient(path=str(persist_dir), settings=chroma_settings) if persist_dir  # size on disk (bench)
                  else chromadb.EphemeralClient(settings=chroma_settings))
        collection = client.create_collection(f"eval-quickstart-{uuid.uuid4().hex[:8]}")
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        self.index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embed_model)
        self.source_texts = {str(d.metadata["file_name"]): d.text for d in documents}
        self.chunk_sources = {n.node_id: str(n.metadata["file_name"]) for n in nodes}


class QuickstartSystem:
    def __init__(self, index: QuickstartIndex, top_k: int) -> None:
        self.name = f"quickstart-k{top_k}"
        self.retriever = index.index.as_retriever(similarity_top_k=top_k)
        self.source_texts = index.source_texts
        self.chunk_sources = index.chunk_sources

    def run(self, question: str) -> tuple[Outcome, list[NodeWithScore]]:
        started = time.perf_counter()
        hits = self.retriever.retrieve(question)
        ms = (time.perf_counter() - started) * 1000
        chunks = [
            {"node_id": h.node.node_id, "source": str(h.node.metadata.get("file_name", "")), "quote": h.node.get_content(), "score": h.score}
            for h in hits
        ]
        answer = "\n\n".join(c["quote"] for c in chunks)
        outcome = Outcome(answer=answer, abstained=False, citations=chunks, retrieved=chunks, latency_ms=ms, top_texts=[c["quote"] for c in chunks[:5]])
        return outcome, hits


def retriever_variants(assistant: PolicyAssistant) -> list[EngineSystem]:
    """Our engine with BM25 only and with dense only, to show what the hybrid adds."""
    library = assistant.library
    return [
        EngineSystem(f"{mode}-only", PolicyQueryEngine(library, assistant.retriever(library, mode=mode), assistant.settings))
        for mode in ("bm25", "dense")
    ]
