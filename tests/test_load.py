"""Loading: PDF-extraction repair, markdown hints, PDF/DOCX readers on files made from corpus text, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.documents.load import DocumentRejected, load_file, repair_lines
from assistant.documents.metadata import parse_document_info
from assistant.text import collapse_spaces, nfc
from tests.conftest import CORPUS

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", nfc(text).lower())


def test_broken_lines_are_rejoined_and_page_numbers_dropped() -> None:
    raw = [
        "4. Sở Y tế ",
        "",
        "- Duy trì và tổ chức có hiệu quả các cơ sở điều trị nghiện các chất dạng ",
        "",
        "thuốc phiện bằng thuốc thay thế (Methadone, Buprenophine); có phương án bảo ",
        "12",
        "đảm cơ sở vật chất.",
        "5. Sở Tư pháp: tham mưu.",
    ] * 3
    lines = repair_lines(raw, hard_wrapped=True)
    assert lines[0] == "4. Sở Y tế"
    assert lines[1].startswith("- Duy trì") and lines[1].endswith("bảo đảm cơ sở vật chất.")
    assert "12" not in words(" ".join(lines))
    assert lines[2] == "5. Sở Tư pháp: tham mưu."


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_loading_keeps_every_word_of_the_corpus(path: Path) -> None:
    """Repair joins and drops blank runs and page numbers, never changes a word."""
    loaded = load_file(path)
    original = words(re.sub(r"[*#_]|<sup>|</sup>", " ", path.read_text(encoding="utf-8")))
    kept = words(loaded.text)
    dropped = [w for w in set(original) - set(kept) if not w.isdigit()]
    assert dropped == []
    assert all(line.text == nfc(line.text) for line in loaded.lines)


def test_markdown_bold_lead_becomes_a_heading_hint() -> None:
    loaded = load_file(CORPUS / "sonla-nghi-quyet-khong-ma-tuy-2030.md")
    hints = [line.emphasis for line in loaded.lines if line.emphasis]
    assert "6. Ban Tổ chức Tỉnh ủy" in hints
    assert not any("**" in line.text for line in loaded.lines)


def test_document_identity_is_read_from_its_own_text() -> None:
    loaded = load_file(CORPUS / "tuyenquang-2023-thang-hanh-dong.md")
    info = parse_document_info(loaded.source, [line.text for line in loaded.lines])
    assert info.doc_type == "Kế hoạch"
    assert info.province == "Tuyên Quang"
    assert info.year == 2023 and info.date == "31/05/2023"
    assert info.signer == "Hoàng Việt Phương"
    assert info.title.startswith("Kế hoạch triển khai hưởng ứng Tháng hành động")
    decision = load_file(CORPUS / "sonla-2023-thang-hanh-dong.txt")
    info = parse_document_info(decision.source, [line.text for line in decision.lines])
    assert info.doc_type == "Quyết định"
    assert info.title == "Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023"
    assert info.signer == "Hoàng Quốc Khánh"


def _corpus_paragraphs(limit: int = 40) -> list[str]:
    loaded = load_file(CORPUS / "sonla-2023-thang-hanh-dong.txt")
    return [line.text for line in loaded.lines][:limit]


def test_pdf_reader_on_a_generated_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    assert FONT.exists(), "needs the DejaVu font: apt-get install fonts-dejavu-core (scripts/test.sh does it)"

    paragraphs = _corpus_paragraphs()
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph)  # wraps lines mid-sentence, like a scanned plan's text layer
        pdf.ln(2)
    path = tmp_path / "ke-hoach.pdf"
    pdf.output(str(path))

    loaded = load_file(path)
    assert loaded.fmt == "pdf"
    assert words(loaded.text) == words("\n".join(paragraphs))
    texts = [collapse_spaces(line.text) for line in loaded.lines]
    assert "Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành." in texts
    info = parse_document_info(loaded.source, texts)
    assert info.doc_type == "Quyết định" and info.signer == "Hoàng Quốc Khánh"


def test_docx_reader_on_a_generated_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("KẾ HOẠCH", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("4. Sở Y tế").bold = True
    paragraph.add_run(" chủ trì, phối hợp với Công an tỉnh xác định tình trạng nghiện ma túy.")
    for text in _corpus_paragraphs(20):
        document.add_paragraph(text)
    path = tmp_path / "ke-hoach.docx"
    document.save(str(path))

    loaded = load_file(path)
    assert loaded.lines[0].heading and loaded.lines[0].text == "KẾ HOẠCH"
    assert loaded.lines[1].emphasis == "4. Sở Y tế"
    assert words(loaded.text) == words("KẾ HOẠCH\n4. Sở Y tế chủ trì, phối hợp với Công an tỉnh xác định tình trạng nghiện ma túy.\n" + "\n".join(_corpus_paragraphs(20)))


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("rong.txt", b"   \n\n", "rỗng"),
        ("hong.pdf", b"%PDF-1.4 not really a pdf", "không đọc được như PDF"),
        ("hong.docx", b"PK\x03\x04 broken zip", "không đọc được như DOCX"),
        ("cu.txt", "Kế hoạch phòng, chống ma túy năm 2023".encode("cp1258", errors="replace") + b"\xa7\xb5\xe0", "UTF-8"),
        ("anh.png", b"\x89PNG\r\n", "chưa được hỗ trợ"),
    ],
)
def test_bad_files_are_rejected_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentRejected, match=reason):
        load_file(path)


def test_issuer_from_any_header_or_opening_sentence() -> None:
    from assistant.documents.metadata import parse_document_info

    header = ["SỞ Y TẾ", "TỈNH ĐIỆN BIÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 12/KH-SYT", "KẾ HOẠCH", "Phòng, chống ma túy năm 2025"]
    assert parse_document_info("a.txt", header).issuer == "Sở Y tế tỉnh Điện Biên"
    opening = ["KẾ HOẠCH", "Phòng, chống ma túy năm 2025", "Thực hiện Quyết định số 1/QĐ-UBND của UBND tỉnh về ban hành Kế hoạch năm 2025.",
               "Sở Tư pháp xây dựng kế hoạch như sau:"]
    assert parse_document_info("b.txt", opening).issuer == "Sở Tư pháp"
