"""Who a document is, whatever copy of it is indexed: number lines of every kind, copies without a
header (web databases), the date a law was passed, effective-date wording, the kinds Lệnh and văn
bản hợp nhất, two documents of one title told apart, replacement links, and a number another
indexed document proves.

Real documents come from ../shared (corpus-dev-2, and corpus-scale for breadth); a header written
here follows Nghị định 30/2020/NĐ-CP's layout, nothing else of a document is made up.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.documents.crossref import cited_identities
from assistant.documents.effect import effective
from assistant.documents.load import load_file
from assistant.documents.metadata import DocumentInfo, parse_document_info
from assistant.documents.naming import cited_document, document_name
from assistant.index.library import Library

SHARED = PROJECT_ROOT.parent / "shared"
DEV2 = SHARED / "corpus-dev-2"
SCALE = SHARED / "corpus-scale"

needs_dev2 = pytest.mark.skipif(not DEV2.is_dir(), reason="../shared/corpus-dev-2 is not here")
needs_scale = pytest.mark.skipif(not SCALE.is_dir(), reason="../shared/corpus-scale is not here")


@lru_cache(maxsize=None)
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(line.text for line in load_file(path).lines)


def _info(path: Path) -> DocumentInfo:
    return parse_document_info(path.name, list(_lines(path)))


# ---------------------------------------------------------------- copies without a header block


@needs_scale
@pytest.mark.parametrize("name, kind, issuer, province", [
    ("difficult-00263683.txt", "Quyết định", "Ủy ban nhân dân tỉnh Kiên Giang", "Kiên Giang"),
    ("difficult-00193670.txt", "Quyết định", "Thủ tướng Chính phủ", ""),
    ("difficult-00210353.txt", "Quyết định", "Bộ Nông nghiệp và Phát triển nông thôn", ""),  # "Bộ trưởng bộ …" decides for the ministry
    ("difficult-00253846.txt", "Nghị quyết", "Hội đồng nhân dân tỉnh Lâm Đồng", "Lâm Đồng"),
    ("difficult-00252881.txt", "Nghị quyết", "Hội đồng nhân dân tỉnh Lâm Đồng", "Lâm Đồng"),  # a title ending in a full stop
    ("difficult-00180489.txt", "Thông tư", "", ""),  # no issuer line: its preamble makes it a circular
])
def test_a_web_copy_is_known_by_its_title_line_and_issuer_line(name: str, kind: str, issuer: str, province: str) -> None:
    info = _info(SCALE / name)
    assert (info.doc_type, info.issuer, info.province) == (kind, issuer, province)
    assert info.title.startswith(kind) and info.title != name
    assert info.number == ""  # the copy states none: not guessed from the numbers it cites


@needs_scale
@pytest.mark.parametrize("name", [
    "easy-00045375.txt",  # "Quyết định độc đáo": a story
    "normal-00670436.txt",  # "Luật chuyên ngành sâu, đại biểu Quốc hội …": a news article
    "difficult-00040676.txt",  # "Chương trình Cao cấp lý luận chính trị: một năm nhìn lại": an essay
    "normal-04460017.txt",  # news whose text says "Cục Quản lý dược cũng vừa ban hành quy định …"
])
def test_a_text_whose_title_starts_with_a_kind_is_no_document_without_proof(name: str) -> None:
    info = _info(SCALE / name)
    assert (info.doc_type, info.issuer, info.number) == ("", "", "")
    assert info.title == name


@needs_dev2
def test_web_copies_of_the_development_set_read_as_documents() -> None:
    resolution = _info(DEV2 / "nghean-nq-233-2008-hdnd-dong-gop-tro-cap-nguoi-nghien.txt")
    assert resolution.title.endswith("trên địa bàn tỉnh Nghệ An")  # the dataset lower-cased the province
    assert (resolution.date, resolution.year) == ("23/07/2008", 2008)  # "… thông qua ngày 23 tháng 7 năm 2008"
    decision = _info(DEV2 / "longan-qd-ubnd-2009-phu-cap-can-bo-khong-chuyen-trach-cong-an-ban-vu-trang.txt")
    assert (decision.doc_type, decision.issuer, decision.level) == ("Quyết định", "Uỷ ban nhân dân tỉnh Long An", "province")
    assert "sau 10 ngày kể từ ngày ký" in decision.effective_text and decision.effective_date == ""  # signed when? unstated


def test_a_title_line_stating_its_number_and_date() -> None:
    lines = ["LUẬT PHÒNG, CHỐNG MA TÚY SỐ 73/2021/QH14 NGÀY 30 THÁNG 3 NĂM 2021",
             "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;", "Quốc hội ban hành Luật Phòng, chống ma túy.",
             "Điều 1. Phạm vi điều chỉnh", "Luật này quy định về phòng, chống ma túy."]
    info = parse_document_info("luat.txt", lines)
    assert (info.doc_type, info.number, info.date, info.issuer, info.title) == (
        "Luật", "73/2021/QH14", "30/03/2021", "Quốc hội", "Luật phòng, chống ma túy")


# ---------------------------------------------------------------- number lines, kinds, places


@pytest.mark.parametrize("line, number", [
    ("Luật số: 73/2021/QH14", "73/2021/QH14"),
    ("Pháp lệnh số: 01/2022/UBTVQH15", "01/2022/UBTVQH15"),
    ("Nghị quyết số: 17/2022/UBTVQH15", "17/2022/UBTVQH15"),
    ("Lệnh số: 05/2021/L-CTN", "05/2021/L-CTN"),
    ("Sô: 28/2026/NĐ-CP Hà Nôi, ngay 19 thang 01 năm 2026", "28/2026/NĐ-CP"),  # an OCR lost the marks
    ("Số: /KH-UBND", ""),  # left blank for the number
])
def test_number_lines_of_every_kind(line: str, number: str) -> None:
    header = ["QUỐC HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", line]
    assert parse_document_info("a.txt", header).number == number


def test_a_citation_opening_a_line_is_not_the_document_s_number() -> None:
    lines = ["KẾ HOẠCH", "Thực hiện công tác phòng, chống ma túy", "Luật số 73/2021/QH14 ngày 30 tháng 3 năm 2021 quy định trách nhiệm."]
    assert parse_document_info("a.txt", lines).number == ""


def test_a_lenh_of_the_president_is_a_lenh_and_signed_in_ha_noi_is_no_province() -> None:
    # The layout of Nghị định 30/2020/NĐ-CP (Phụ lục I) for a Lệnh công bố luật.
    header = ["CHỦ TỊCH NƯỚC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 05/2021/L-CTN",
              "Hà Nội, ngày 12 tháng 4 năm 2021", "LỆNH", "VỀ VIỆC CÔNG BỐ LUẬT", "CHỦ TỊCH NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
              "Căn cứ Điều 88 và Điều 91 của Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;", "NAY CÔNG BỐ", "Luật Phòng, chống ma túy",
              "Đã được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XIV, kỳ họp thứ 11 thông qua ngày 30 tháng 3 năm 2021."]
    info = parse_document_info("lenh.txt", header)
    assert (info.doc_type, info.number, info.issuer, info.level, info.date) == ("Lệnh", "05/2021/L-CTN", "Chủ tịch nước", "national", "12/04/2021")
    assert (info.place, info.province) == ("Hà Nội", "")
    unread = parse_document_info("lenh.txt", header[3:])  # letterhead lost: the number still says who issued it
    assert (unread.doc_type, unread.issuer, unread.province) == ("Lệnh", "Chủ tịch nước", "")


def test_a_consolidated_text_is_known_by_its_number() -> None:
    header = ["VĂN PHÒNG QUỐC HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 13/VBHN-VPQH",
              "Hà Nội, ngày 23 tháng 07 năm 2013", "LUẬT", "PHÒNG, CHỐNG MA TÚY", "Căn cứ Hiến pháp;", "Điều 1. Phạm vi"]
    info = parse_document_info("vbhn.txt", header)
    assert (info.doc_type, info.number, info.issuer, info.title) == ("Văn bản hợp nhất", "13/VBHN-VPQH", "Văn phòng Quốc hội", "Luật phòng, chống ma túy")


# ---------------------------------------------------------------- dates


@needs_dev2
@pytest.mark.parametrize("name, signed, passed, expected", [
    ("phap-lenh-01-2022-ubtvqh15-cai-nghien-bat-buoc-12-18-tuoi.txt", "", "24/03/2022", "24/03/2022"),  # "kể từ ngày thông qua"
    ("nghi-dinh-19-2018-nd-cp-tong-khoi-luong-chat-ma-tuy.txt", "02/02/2018", "", "02/02/2018"),  # "từ ngày ký ban hành"
    ("nghean-qd-ubnd-2008-ban-hanh-quy-dinh-dong-gop-tro-cap.txt", "02/09/2008", "", "12/09/2008"),  # "sau 10 ngày kể từ ngày ký"
    ("longan-qd-ubnd-2009-phu-cap-can-bo-khong-chuyen-trach-cong-an-ban-vu-trang.txt", "25/12/2009", "", "04/01/2010"),
    ("luat-120-2025-qh15-phong-chong-ma-tuy-ocr.md", "", "10/12/2025", "01/07/2026"),  # "từ ngày 01 tháng 7 năm 2026"
    ("nghi-dinh-28-2026-nd-cp-danh-muc-chat-ma-tuy-ocr.md", "", "", "19/01/2026"),  # "19 thang 01": a lost mark
])
def test_effective_date_wording_of_every_kind(name: str, signed: str, passed: str, expected: str) -> None:
    """The closing sentence of each document, read with the signing or passing date given."""
    assert effective(list(_lines(DEV2 / name)), signed, passed)[0] == expected


# ---------------------------------------------------------------- naming, links between documents


def test_two_documents_of_one_title_are_named_apart() -> None:
    assert document_name("Luật phòng, chống ma túy", "", "73/2021/QH14") != document_name("Luật phòng, chống ma túy", "", "120/2025/QH15")
    assert document_name("Nghị quyết về ngân sách", "Hải Dương", "", 2008) == "Nghị quyết về ngân sách (năm 2008) — Hải Dương"
    assert document_name("Kế hoạch phòng, chống ma túy năm 2023", "", "", 2023) == "Kế hoạch phòng, chống ma túy năm 2023"
    citation = {"title": "Luật phòng, chống ma túy", "number": "73/2021/QH14", "source": "a.txt", "province": ""}
    assert cited_document(citation) == "Luật phòng, chống ma túy (số 73/2021/QH14)"


@needs_dev2
def test_the_2021_and_2025_laws_are_told_apart_and_the_replacement_is_linked() -> None:
    old, new = DEV2 / "luat-73-2021-qh14-phong-chong-ma-tuy.txt", DEV2 / "luat-120-2025-qh15-phong-chong-ma-tuy-ocr.md"
    library = Library.from_files([old, new])
    entries = library.documents
    assert entries[old.name].title == entries[new.name].title  # both call themselves "Luật phòng, chống ma túy"
    assert len({entries[old.name].label, entries[new.name].label}) == 2
    assert (entries[old.name].name, entries[new.name].name) == ("Luật 73/2021/QH14", "Luật 120/2025/QH15")
    assert not library.in_force(old.name) and library.in_force(new.name)
    assert library.status_notes(old.name) == ["Luật 73/2021/QH14 hết hiệu lực từ ngày 01/07/2026 theo Luật 120/2025/QH15."]
    # "… số 73/2021/QH14 đã được sửa đổi, bổ sung một số điều theo Luật số 81/2025/QH15 hết hiệu lực …": the
    # amending law named in the history is not what ends.
    assert {r["number"] for r in entries[new.name].relations if r["relation"] == "ceases"} == {"73/2021/QH14"}


@needs_dev2
def test_a_number_proven_by_another_document_s_legal_bases() -> None:
    resolution = DEV2 / "nghean-nq-233-2008-hdnd-dong-gop-tro-cap-nguoi-nghien.txt"
    decision = DEV2 / "nghean-qd-ubnd-2008-ban-hanh-quy-dinh-dong-gop-tro-cap.txt"
    assert Library.from_files([resolution]).documents[resolution.name].number == ""  # alone, its text states none
    entry = Library.from_files([resolution, decision]).documents[resolution.name]
    assert (entry.number, entry.number_cited_by) == ("233/2008/NQ-HĐND", decision.name)


@needs_scale
def test_a_cited_number_is_taken_only_when_the_citation_is_unambiguous() -> None:
    names = ["difficult-00198476.txt", "difficult-00196928.txt",  # a council resolution, and the decision citing it in its bases
             "difficult-00219755.txt", "difficult-00195998.txt"]  # two district decisions, the second replacing an older one
    documents = {name: _info(SCALE / name) for name in names}
    found = cited_identities(documents, {name: "\n".join(_lines(SCALE / name)) for name in names})
    assert {s: i.number for s, i in found.items()} == {"difficult-00198476.txt": "125/2009/NQ-HĐND"}


@needs_dev2
def test_a_law_s_web_copy_is_proven_by_the_year_it_was_passed(tmp_path: Path) -> None:
    """A web copy of the 2021 law states no number, only "… thông qua ngày 30 tháng 3 năm 2021"; the
    ordinance's "Căn cứ Luật Phòng, chống ma túy số 73/2021/QH14" names it — and not the 2025 law of
    the same title, whose year differs."""
    from eval.renderings import RENDERINGS, render_file

    copy = render_file(DEV2 / "luat-73-2021-qh14-phong-chong-ma-tuy.txt", RENDERINGS["webcopy"], tmp_path)
    ordinance, new_law = DEV2 / "phap-lenh-01-2022-ubtvqh15-cai-nghien-bat-buoc-12-18-tuoi.txt", DEV2 / "luat-120-2025-qh15-phong-chong-ma-tuy-ocr.md"
    alone = Library.from_files([copy, new_law]).documents[copy.name]
    assert (alone.number, alone.year) == ("", 2021)
    entries = Library.from_files([copy, ordinance, new_law]).documents
    assert (entries[copy.name].number, entries[copy.name].number_cited_by) == ("73/2021/QH14", ordinance.name)
    assert entries[new_law.name].number == "120/2025/QH15"
