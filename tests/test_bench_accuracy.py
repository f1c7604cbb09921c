"""The accuracy among a real archive (assistant/bench/accuracy.py): which texts are on the subject,
which answers quote an unrelated document, and the CI slice chosen the same way on every machine.
The measurement itself runs in scripts/test.sh (the slice) and for eval/bench.md (the whole)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bench.accuracy import SCALE, DEVELOPMENT, archive, breaches, on_subject, scale_sample, unrelated_answers
from assistant.documents.load import load_file
from assistant.index.ingest import discover_files
from tests.conftest import CORPUS

needs_scale = pytest.mark.skipif(not SCALE.is_dir(), reason="../shared/corpus-scale is absent")


def _text(path: Path) -> str:
    return "\n".join(line.text for line in load_file(path).lines)


def test_every_bundled_plan_and_national_drug_document_is_on_the_subject() -> None:
    folders = [CORPUS, *[d for d in DEVELOPMENT[:1] if d.is_dir()]]
    files = discover_files(folders)
    assert len(files) >= 5
    assert all(on_subject(_text(p)) for p in files), [p.name for p in files if not on_subject(_text(p))]


def test_the_subject_is_found_without_accents_and_not_in_other_subjects() -> None:
    assert on_subject("ke hoach phong, chong MA TUY nam 2024")
    assert on_subject("cơ sở cai nghiện bắt buộc")
    # a development document about a province's part-time police staff: not the subject
    longan = DEVELOPMENT[1] / "longan-qd-ubnd-2009-phu-cap-can-bo-khong-chuyen-trach-cong-an-ban-vu-trang.txt"
    if longan.exists():
        assert not on_subject(_text(longan))
    assert not on_subject("Kế hoạch phòng, chống dịch bệnh trên gia súc, gia cầm năm 2024")
    assert not on_subject("")


@needs_scale
def test_most_of_the_scale_archive_is_about_other_subjects() -> None:
    """corpus-scale is an archive of every subject: most of it must count as unrelated, or an
    answer quoting it would go unnoticed."""
    files = scale_sample(SCALE, 60)
    off = [p for p in files if not on_subject(_text(p))]
    assert len(off) >= 40, len(off)


@needs_scale
def test_the_slice_is_the_same_every_time_and_mixes_the_collection() -> None:
    first, again = scale_sample(SCALE, 100), scale_sample(SCALE, 100)
    assert first == again and len(first) == 100 and len(set(first)) == 100
    kinds = {p.name.split("-")[0] for p in first}
    assert len(kinds) >= 3, kinds  # not the first 100 names of one kind
    assert scale_sample(SCALE, 10) == first[:10]
    folders = archive(first)
    assert folders[0] == CORPUS and folders[-100:] == first


def test_an_answer_citing_an_off_subject_document_outside_its_sources_is_unrelated() -> None:
    texts = {"plan.txt": "Kế hoạch phòng, chống ma túy", "decree.txt": "Nghị định về cai nghiện ma túy",
             "news.txt": "Giá lúa gạo tăng mạnh trong tháng", "flood.txt": "Phòng chống lụt bão"}
    items = [
        {"id": "a", "abstained": False, "gold_sources": ["plan.txt"], "cited_sources": ["plan.txt", "decree.txt"]},  # on subject
        {"id": "b", "abstained": False, "gold_sources": ["plan.txt"], "cited_sources": ["plan.txt", "news.txt", "news.txt"]},
        {"id": "c", "abstained": True, "gold_sources": ["plan.txt"], "cited_sources": ["flood.txt"]},  # a refusal quotes nothing
        {"id": "d", "abstained": False, "gold_sources": ["flood.txt"], "cited_sources": ["flood.txt"]},  # its own source
    ]
    assert unrelated_answers(items, texts) == [{"id": "b", "cited": "news.txt"}]


def test_thresholds_are_minimums_for_recall_and_maximums_for_refusals_and_unrelated_answers() -> None:
    got = {"fact_recall": 0.90, "false_abstention": 0.04, "unrelated_answers": 1, "unrelated": [{"id": "x", "cited": "n.txt"}]}
    figures = {"gold": {"archive": got, "own": {"fact_recall": 0.95}}}
    assert breaches(figures, {"gold": {"fact_recall": 0.89, "false_abstention": 0.05, "unrelated_answers": 1, "recall_drop": 0.06}}) == []
    found = breaches(figures, {"gold": {"fact_recall": 0.91, "false_abstention": 0.03, "unrelated_answers": 0, "recall_drop": 0.02}})
    assert len(found) == 4 and "n.txt" in found[2]
