"""Ask every gold question through a system and score it; the same loop for ours and the baselines.

Retrieval is measured with llama-index's `RetrieverEvaluator` (metrics hit_rate, mrr). The
retriever it drives is the whole pipeline (`PipelineRetriever`): asking it a question runs the
system end to end, keeps the answer, and hands back the chunks the system retrieved. So each
question is asked once, and what is scored for retrieval is what the answer was built from
(after chat-paste cleaning and question understanding), not a separate retrieval call.
Expected ids are the ids of every chunk of the gold sources, which makes the metrics doc-level.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from llama_index.core.evaluation import RetrieverEvaluator
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from assistant.answering.engine import PolicyQueryEngine, QuestionRejected
from assistant.query.nonsense import NotAQuestion

from eval.gold import GoldItem
from eval.metrics import ItemResult, Outcome, score_item

Progress = Callable[[str, int, int], None]


class System(Protocol):
    """Anything that answers a question with citations: ours, a variant, or a baseline."""

    name: str
    source_texts: dict[str, str]  # source → the text its quotes must occur in
    chunk_sources: dict[str, str]  # node id → source, for doc-level expected ids

    def run(self, question: str) -> tuple[Outcome, list[NodeWithScore]]: ...


class EngineSystem:
    """Our query engine (or one built with another retriever), called exactly as the CLI calls it."""

    def __init__(self, name: str, engine: PolicyQueryEngine) -> None:
        self.name = name
        self.engine = engine
        self.source_texts = engine.library.full_texts
        self.chunk_sources = {nid: str(n.metadata.get("source", "")) for nid, n in engine.library.nodes.items()}

    def run(self, question: str) -> tuple[Outcome, list[NodeWithScore]]:
        started = time.perf_counter()
        try:
            response = self.engine.ask(question)
        except (QuestionRejected, NotAQuestion) as rejected:
            ms = (time.perf_counter() - started) * 1000
            return Outcome(str(rejected), True, [], [], ms, error=str(rejected)), []
        ms = (time.perf_counter() - started) * 1000
        meta: dict[str, Any] = response.metadata or {}
        retrieved = list(meta.get("retrieved", []))
        nodes = self.engine.library.nodes
        hits = [NodeWithScore(node=nodes[r["node_id"]], score=r.get("score")) for r in retrieved if r["node_id"] in nodes]
        outcome = Outcome(
            answer=response.response or "",
            abstained=bool(meta.get("abstained")),
            citations=list(meta.get("citations", [])),
            retrieved=retrieved,
            latency_ms=ms,
            answerer=str(meta.get("answerer", "")),
            refusal=str(meta.get("refusal", "") or ""),
            top_texts=[hit.node.get_content() for hit in hits[:5]],
        )
        return outcome, hits


class PipelineRetriever(BaseRetriever):
    """Retrieval as the full pipeline does it; remembers the last outcome for answer scoring."""

    def __init__(self, system: System) -> None:
        super().__init__()
        self.system = system
        self.last: Outcome | None = None

    def ask(self, question: str) -> Outcome:
        self.last, _ = self.system.run(question)
        return self.last

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        self.last, hits = self.system.run(query_bundle.query_str)
        return hits


def unknown_sources(items: Sequence[GoldItem], system: System) -> list[str]:
    """Gold sources the system has not indexed: a gold file for another corpus, or a typo."""
    known = set(system.source_texts)
    return sorted({s for item in items for s in item.sources if s not in known})


def run_system(system: System, items: Sequence[GoldItem], progress: Progress | None = None) -> list[ItemResult]:
    retriever = PipelineRetriever(system)
    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=retriever)
    results = []
    for i, item in enumerate(items, 1):
        llama = None
        if item.answerable:
            expected = [nid for nid, source in system.chunk_sources.items() if source in item.sources]
            try:
                llama = evaluator.evaluate(query=item.question, expected_ids=expected).metric_vals_dict
            except ValueError:  # nothing retrieved (llama-index refuses to score an empty list)
                llama = {"hit_rate": 0.0, "mrr": 0.0}
            outcome = retriever.last
        else:
            outcome = retriever.ask(item.question)
        assert outcome is not None
        results.append(score_item(item, outcome, system.source_texts, llama))
        if progress:
            progress(system.name, i, len(items))
    return results
