"""Which documents a question names, among an archive of every subject (issue 19): words a
question shares with a few titles ("nông nghiệp", "công an", "mục tiêu") name no document when the
archive's other texts use them far more often than those titles do; a question that does name a
document by its title still finds it. Read from the bundled plans, the development documents and
the texts of ../shared/corpus-scale that use the words in question (skipped without them)."""

from __future__ import annotations

import pytest

from assistant.bench.accuracy import DEVELOPMENT, SCALE, archive, on_subject
from assistant.index.ingest import discover_files
from assistant.index.library import Library
from assistant.query.understand import understand
from assistant.text import fold

# The archive's texts of other subjects that use these words: what makes them common words there.
COMMON = ("nong nghiep", "cong an", "muc tieu")

pytestmark = pytest.mark.skipif(not SCALE.is_dir() or not all(d.is_dir() for d in DEVELOPMENT), reason="../shared corpora absent")


@pytest.fixture(scope="module")
def library() -> Library:
    scale = [p for p in discover_files([SCALE]) if any(w in fold(p.read_text(encoding="utf-8", errors="replace")) for w in COMMON)]
    return Library.from_files(discover_files(archive(scale)))


def _off_subject(library: Library, sources: list[str]) -> list[str]:
    return [s for s in sources if not on_subject(library.full_texts[s])]


@pytest.mark.parametrize("question", [
    "Sở Nông nghiệp và Phát triển nông thôn tham gia phòng, chống ma túy thế nào?",  # an agency's name, not a title
    "Công an cấp xã phải làm gì khi phát hiện người sử dụng trái phép chất ma túy?",
    "Mục tiêu giảm số người nghiện ma túy đến năm 2030 là gì?",
    "Tỷ lệ xã, phường không có ma túy phải đạt bao nhiêu?",
])
def test_a_question_naming_no_document_is_not_scoped_to_other_subjects(library: Library, question: str) -> None:
    sources = understand(question, library).sources
    assert not _off_subject(library, sources), sources


@pytest.mark.parametrize("question", [
    "Công an cấp xã áp dụng biện pháp gì với người sử dụng trái phép chất ma túy?",  # "áp dụng", "công an": a title's words too
])
def test_words_shared_with_a_few_titles_and_many_texts_name_no_document(library: Library, question: str) -> None:
    """Retrieval over every document finds the passage; scoped to the wrong one, nothing can."""
    assert understand(question, library).sources == []


@pytest.mark.parametrize(("question", "expected"), [
    ("Pháp lệnh về cai nghiện bắt buộc cho người từ đủ 12 tuổi đến dưới 18 tuổi quy định thời hạn thế nào?",
     "phap-lenh-01-2022-ubtvqh15-cai-nghien-bat-buoc-12-18-tuoi.txt"),
    ("Thông tư về cơ sở cai nghiện ma túy công lập quy định những gì?",
     "thong-tu-29-2022-tt-bldtbxh-co-so-cai-nghien-ma-tuy-cong-lap-congbao.txt"),
])
def test_a_question_naming_a_document_by_its_title_still_finds_it(library: Library, question: str, expected: str) -> None:
    if expected not in library.documents:
        pytest.skip(f"{expected} absent")
    assert understand(question, library).sources == [expected]


@pytest.mark.parametrize("question", [
    "Ai chịu trách nhiệm hướng dẫn, kiểm tra, đôn đốc thực hiện Nghị định 116/2021?",  # "kiểm tra": Ủy ban Kiểm tra
    "Cơ quan nào kiểm tra việc cai nghiện ma túy tự nguyện?",
])
def test_common_words_of_a_body_name_name_no_body(library: Library, question: str) -> None:
    """Two words of a body's name that the archive's texts use far more often than they name the
    body are the question's own words ("kiểm tra"), not that body."""
    keys = [a.key for a in understand(question, library).agencies]
    assert not [k for k in keys if "kiem tra" in k], keys


def test_a_body_named_by_two_words_of_its_own_is_still_found(library: Library) -> None:
    keys = [a.key for a in understand("Biên phòng tỉnh phải làm gì trong phòng, chống ma túy?", library).agencies]
    assert any("bien phong" in k for k in keys), keys


@pytest.mark.parametrize(("question", "kind"), [
    ("Bao nhiêu phần trăm người nghiện, người sau cai phải được tư vấn, hỗ trợ, can thiệp y tế, tâm lý theo Nghị quyết?", "nghi quyet"),
    ("Theo Thông tư, thời hạn gửi báo cáo là bao lâu?", "thong tu"),
])
def test_a_kind_named_as_the_source_looks_among_the_documents_of_that_kind(library: Library, question: str, kind: str) -> None:
    """ "… theo Nghị quyết?" with several resolutions indexed names none of them, but still says
    where to look: among the documents of that kind, not every text of the archive."""
    sources = understand(question, library).sources
    assert len(sources) >= 2, sources
    assert all(kind in fold(f"{library.documents[s].doc_type} {library.documents[s].title}") for s in sources), sources
