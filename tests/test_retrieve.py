"""Fusion of the dense and BM25 rankings: what either ranking puts first is never lost to passages
both rank middling (issue 16: an answer never loses what plain retrieval would have shown)."""

from __future__ import annotations

import pytest

from assistant.query.retrieve import HEAD, keep_heads, reciprocal_rank_fusion
from assistant.query.understand import understand


def test_a_head_found_by_one_ranking_only_stays_among_those_read() -> None:
    dense = ["d1", "both1", "both2", "both3", "both4"]
    lexical = ["l1", "both1", "both2", "both3", "both4"]
    fused = reciprocal_rank_fusion([(1.0, dense), (1.0, lexical)], k=60)
    assert [nid for nid, _ in fused[:4]] == ["both1", "both2", "both3", "both4"]  # what both found wins
    kept = keep_heads(fused, {"d1", "l1", "both1"}, limit=4)
    assert {nid for nid, _ in kept[:4]} == {"both1", "both2", "d1", "l1"}
    assert sorted(kept) == sorted(fused)  # nothing dropped, only moved


def test_nothing_moves_when_every_head_is_already_read() -> None:
    fused = reciprocal_rank_fusion([(1.0, ["a", "b", "c"]), (1.0, ["b", "a", "c"])], k=60)
    assert keep_heads(fused, {"a", "b"}, limit=2) == fused


@pytest.mark.parametrize("question", [
    "Sở Y tế phải làm gì trong Tháng hành động phòng, chống ma túy?",
    "Hạn gửi báo cáo kết quả thực hiện kế hoạch là ngày nào?",
    "Lực lượng Biên phòng được giao những nhiệm vụ gì?",
    "Kinh phí thực hiện kế hoạch lấy từ đâu?",
])
def test_the_first_hits_of_bm25_and_of_the_dense_model_are_among_the_retrieved(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    retriever = assistant.engine.retriever
    library = assistant.engine.library
    understood = understand(question, library)
    read = {hit.node.node_id for hit in retriever.retrieve_question(understood)}
    text = understood.search_text or understood.text
    allowed = retriever._allowed_ids(understood.sources)
    lexical = [nid for nid, _ in library.lexical.search(text, HEAD, allowed) if not retriever._is_form(nid)]
    dense = [nid for nid in retriever._dense(text, understood.sources)[:HEAD] if not retriever._is_form(nid)]
    assert set(lexical) <= read and set(dense) <= read, (lexical, dense)
