"""Scoring: pure functions from (gold item, what a system produced) to numbers. No model, no I/O.

Conventions, so every system is scored the same way:
- phrases are compared after `assistant.text.comparable` (NFC, lower-case, spaces collapsed,
  tone placement unified: "hoà" = "hòa"), on both sides;
- retrieval and citations are judged at document level (a hit = a chunk of a gold source); the
  gold set names no sections, so section-level hit is not measured;
- per-item figures are averaged over items (each question weighs the same);
- answer length counts the answers a user would read: every non-abstaining reply, any kind.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.text import comparable

from eval.gold import GoldItem

Summary = dict[str, Any]


@dataclass
class Outcome:
    """What a system returned for one question, in the same shape for ours and the baselines."""

    answer: str
    abstained: bool
    citations: list[dict[str, Any]]  # each: source, quote (section optional)
    retrieved: list[dict[str, Any]]  # ranked; each: node_id, source (section optional)
    latency_ms: float
    error: str | None = None  # QuestionRejected message, if the question was refused
    answerer: str = ""  # which answerer (or "refusal") wrote it; baselines have none
    refusal: str = ""  # how a refusal was proven (assistant.answering.refusal.PATHS)
    top_texts: list[str] = field(default_factory=list)  # the text of the top 5 retrieved sections or chunks


@dataclass
class ItemResult:
    id: str
    kind: str
    answerable: bool
    question: str
    answer: str = ""
    abstained: bool = False
    error: str | None = None
    latency_ms: float = 0.0
    retrieved_sources: list[str] = field(default_factory=list)
    first_hit_rank: int | None = None  # 1-based rank of the first chunk from a gold source
    rr: float | None = None  # reciprocal rank, from llama-index's RetrieverEvaluator (MRR metric)
    hit_any: bool | None = None  # a gold source anywhere in what was retrieved (its hit_rate metric)
    groups_matched: list[bool] = field(default_factory=list)
    missing: list[list[str]] = field(default_factory=list)  # must_include groups not found
    cited_sources: list[str] = field(default_factory=list)
    quotes: int = 0
    bad_quotes: list[dict[str, str]] = field(default_factory=list)  # not verbatim in their source
    gold_sources: list[str] = field(default_factory=list)
    twin_id: str | None = None  # a zalo item's clean twin
    answerer: str = ""
    refusal: str = ""
    top5_groups_matched: list[bool] = field(default_factory=list)  # must_include groups the top 5 retrieved texts hold
    lost_from_top5: list[list[str]] = field(default_factory=list)  # ... that the answer does not say

    @property
    def answer_chars(self) -> int:
        return len(self.answer)

    @property
    def fact_recall(self) -> float | None:
        return share(self.groups_matched) if self.answerable else None

    @property
    def full_answer(self) -> bool | None:
        return all(self.groups_matched) if self.answerable else None

    @property
    def citation_precision(self) -> float | None:
        return citation_precision(self.cited_sources, self.gold_sources) if self.answerable else None

    @property
    def source_recall(self) -> float | None:
        return source_recall(self.cited_sources, self.gold_sources) if self.answerable else None

    @property
    def retrieval_miss(self) -> bool:
        """No chunk of a gold source in the top 5."""
        return self.answerable and not hit_at(self.first_hit_rank, 5)

    @property
    def failed(self) -> bool:
        """Worth a look in the report: a missed fact, a wrong (non-)abstention, a bad quote, a retrieval miss."""
        wrong_abstention = self.abstained == self.answerable
        return bool(wrong_abstention or self.missing or self.bad_quotes or self.retrieval_miss)

    def to_dict(self) -> dict[str, Any]:
        derived = {k: getattr(self, k) for k in ("answer_chars", "fact_recall", "full_answer", "citation_precision", "source_recall")}
        return asdict(self) | derived


# ---------------------------------------------------------------- per item


def match_groups(answer: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """One flag per must_include group: does ANY of its alternative phrases occur in the answer?"""
    key = comparable(answer)
    return [any(comparable(p) in key for p in group) for group in groups]


def first_hit_rank(retrieved_sources: Sequence[str], gold_sources: Iterable[str]) -> int | None:
    gold = set(gold_sources)
    return next((rank for rank, source in enumerate(retrieved_sources, 1) if source in gold), None)


def hit_at(rank: int | None, k: int) -> bool:
    return rank is not None and rank <= k


def reciprocal_rank(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / rank


def citation_precision(cited_sources: Sequence[str], gold_sources: Sequence[str]) -> float | None:
    """Share of the distinct cited documents that are gold sources; None when nothing is cited."""
    cited = set(cited_sources)
    return len(cited & set(gold_sources)) / len(cited) if cited else None


def source_recall(cited_sources: Sequence[str], gold_sources: Sequence[str]) -> float | None:
    """Share of the gold sources cited at least once (what a comparison needs: both documents)."""
    gold = set(gold_sources)
    return len(gold & set(cited_sources)) / len(gold) if gold else None


def quote_is_verbatim(quote: str, source_text: str | None) -> bool:
    return bool(source_text) and bool(quote.strip()) and comparable(quote) in comparable(source_text)


def score_item(item: GoldItem, outcome: Outcome, source_texts: dict[str, str], llama: dict[str, float] | None = None) -> ItemResult:
    """Everything measurable about one answer; `source_texts` are the texts quotes must come from,
    `llama` the RetrieverEvaluator's hit_rate and mrr (computed here from ranks when absent)."""
    retrieved_sources = [str(r.get("source", "")) for r in outcome.retrieved]
    matched = match_groups(outcome.answer, item.must_include)
    top5 = match_groups("\n".join(outcome.top_texts), item.must_include) if outcome.top_texts else []
    bad = [
        {"source": str(c.get("source", "")), "quote": str(c.get("quote", ""))}
        for c in outcome.citations
        if not quote_is_verbatim(str(c.get("quote", "")), source_texts.get(str(c.get("source", ""))))
    ]
    rank = first_hit_rank(retrieved_sources, item.sources) if item.answerable else None
    return ItemResult(
        id=item.id,
        kind=item.kind,
        answerable=item.answerable,
        question=item.question,
        twin_id=item.twin_id,
        answer=outcome.answer,
        abstained=outcome.abstained,
        error=outcome.error,
        answerer=outcome.answerer,
        refusal=outcome.refusal,
        top5_groups_matched=top5,
        lost_from_top5=[list(g) for g, held, said in zip(item.must_include, top5, matched) if held and not said],
        latency_ms=outcome.latency_ms,
        retrieved_sources=retrieved_sources,
        first_hit_rank=rank,
        rr=(llama["mrr"] if llama else reciprocal_rank(rank)) if item.answerable else None,
        hit_any=(bool(llama["hit_rate"]) if llama else rank is not None) if item.answerable else None,
        groups_matched=matched,
        missing=[list(g) for g, ok in zip(item.must_include, matched) if not ok],
        cited_sources=[str(c.get("source", "")) for c in outcome.citations],
        quotes=len(outcome.citations),
        bad_quotes=bad,
        gold_sources=list(item.sources),
    )


# ---------------------------------------------------------------- aggregates


def share(flags: Iterable[bool | float]) -> float | None:
    values = [float(f) for f in flags]
    return sum(values) / len(values) if values else None


def mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def median(values: Iterable[float]) -> float | None:
    kept = list(values)
    return float(statistics.median(kept)) if kept else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100): an observed value, no interpolation."""
    kept = sorted(values)
    if not kept:
        return None
    return float(kept[max(0, math.ceil(q / 100 * len(kept)) - 1)])


def summarize(results: Sequence[ItemResult]) -> Summary:
    """All headline metrics over a set of items; None where the set has nothing to measure."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answers = [r for r in results if not r.abstained]
    quotes = sum(r.quotes for r in results)
    return {
        "n": len(results),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "hit_at_1": share(hit_at(r.first_hit_rank, 1) for r in answerable),
        "hit_at_3": share(hit_at(r.first_hit_rank, 3) for r in answerable),
        "hit_at_5": share(hit_at(r.first_hit_rank, 5) for r in answerable),
        "hit_any": share(bool(r.hit_any) for r in answerable),
        "mrr": mean(r.rr for r in answerable),
        "section_hit": "n/a",
        "fact_recall": mean(r.fact_recall for r in answerable),
        "full_answer_rate": share(bool(r.full_answer) for r in answerable),
        "answer_chars_median": median(r.answer_chars for r in answers),
        "answer_chars_mean": mean(r.answer_chars for r in answers),
        "citation_precision": mean(r.citation_precision for r in answerable),
        "quote_fidelity": (quotes - sum(len(r.bad_quotes) for r in results)) / quotes if quotes else None,
        "source_recall": mean(r.source_recall for r in answerable),
        "correct_abstention": share(r.abstained for r in unanswerable),
        "false_abstention": share(r.abstained for r in answerable),
        "latency_ms_median": median(r.latency_ms for r in results),
        "latency_ms_p95": percentile((r.latency_ms for r in results), 95),
    }


def zalo_pairs(results: Sequence[ItemResult], min_ratio: float = 0.95) -> Summary:
    """Zalo item vs its clean twin: per-item fact recall, ratio, and both sides' summaries.

    An item meets the bar when its zalo fact recall is at least `min_ratio` × the twin's; a twin
    at 0 makes the ratio undefined (met trivially, shown as such). Unanswerable pairs are listed
    with their abstentions but not counted.
    """
    by_id = {r.id: r for r in results}
    pairs, zalo, clean = [], [], []
    for r in results:
        twin = by_id.get(r.twin_id) if r.twin_id else None
        if twin is None:
            continue
        zalo.append(r)
        clean.append(twin)
        z, c = r.fact_recall, twin.fact_recall
        ratio = z / c if z is not None and c else None
        meets = None if z is None or c is None else z >= min_ratio * c
        pairs.append({
            "id": r.id, "twin": twin.id, "answerable": r.answerable, "zalo_fact_recall": z,
            "clean_fact_recall": c, "ratio": ratio, "meets": meets,
            "zalo_abstained": r.abstained, "clean_abstained": twin.abstained,
        })
    counted = [p for p in pairs if p["meets"] is not None]
    return {
        "min_ratio": min_ratio,
        "pairs": pairs,
        "items_counted": len(counted),
        "items_meeting": sum(bool(p["meets"]) for p in counted),
        "items_meeting_share": share(bool(p["meets"]) for p in counted),
        "zalo": summarize(zalo),
        "clean": summarize(clean),
    }


def summarize_all(results: Sequence[ItemResult], held_out: Iterable[str] = ()) -> Summary:
    """overall + per kind + zalo-vs-clean (+ held-out documents vs the rest), the shape thresholds
    and reports read. An answerable item belongs to the held-out split when any of its sources is a
    held-out document."""
    kinds = sorted({r.kind for r in results})
    summary: Summary = {
        "overall": summarize(results),
        "by_kind": {k: summarize([r for r in results if r.kind == k]) for k in kinds},
        "zalo_vs_clean": zalo_pairs(results),
    }
    left_out = set(held_out)
    if left_out:
        summary["held_out"] = summarize([r for r in results if r.answerable and set(r.gold_sources) & left_out])
        summary["developed"] = summarize([r for r in results if r.answerable and not set(r.gold_sources) & left_out])
        summary["held_out_documents"] = sorted(left_out)
    return summary
