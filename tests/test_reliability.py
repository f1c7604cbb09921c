"""Hostile files, damaged indexes, full and read-only disks, bad input lines, nonsense questions:
each case reproduced with generated files, its outcome asserted (a clear Vietnamese reason,
nothing lost, nothing half-written), and the index asked "Sở Y tế phải làm gì?" afterwards."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.documents.load import DocumentRejected, load_file
from assistant.service import PolicyAssistant
from assistant.text import words
from tests.conftest import CORPUS, free_port

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SMALL = ["sonla-vp-ubnd-2024-ke-hoach.txt", "tuyenquang-2023-thang-hanh-dong.md"]
QUESTION = "Sở Y tế phải làm gì?"
GOOD_TEXT = (
    "KẾ HOẠCH\nKiểm tra cơ sở cai nghiện năm 2025\n"
    "1. Sở Lao động - Thương binh và Xã hội chủ trì kiểm tra các cơ sở cai nghiện ma túy trên địa bàn tỉnh, "
    "báo cáo kết quả trước ngày 15 tháng 12 năm 2025.\n"
)


# ----------------------------------------------------------------------------- generated files


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rewrite_docx(path: Path, document_xml: Iterator[bytes]) -> Path:
    """A real DOCX package whose word/document.xml is replaced by the given stream of bytes."""
    base = docx_bytes(["Sở Y tế chủ trì kiểm tra."])
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for item in source.infolist():
            if item.filename == "word/document.xml":
                with package.open("word/document.xml", "w") as part:
                    for piece in document_xml:
                        part.write(piece)
            else:
                package.writestr(item, source.read(item))
    return path


def zip_bomb_docx(path: Path, inflated_mb: int = 250) -> Path:
    """A valid DOCX of ~1 MB whose body inflates to `inflated_mb` MB of whitespace."""
    head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    tail = "<w:p><w:r><w:t>Sở Y tế chủ trì.</w:t></w:r></w:p></w:body></w:document>".encode("utf-8")

    def stream() -> Iterator[bytes]:
        yield head
        block = b" " * 2**20
        for _ in range(inflated_mb):
            yield block
        yield tail

    return _rewrite_docx(path, stream())


def entity_bomb_docx(path: Path) -> Path:
    """"Billion laughs": ten levels of entities, each ten copies of the one below."""
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return _rewrite_docx(path, iter([xml.encode("utf-8")]))


def pdf_file(path: Path, paragraphs: list[str], pages: int = 1, user_password: str | None = None, encrypt: bool = False) -> Path:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    assert FONT.exists(), "needs the DejaVu font: apt-get install fonts-dejavu-core (scripts/test.sh does it)"
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for _ in range(pages):
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        if not paragraphs:
            pdf.rect(20, 20, 170, 250, style="F")  # a "scan": marks on the page, no text layer
    if encrypt or user_password:
        pdf.set_encryption(owner_password="chu-so-huu-2025", user_password=user_password or "", encryption_method=EncryptionMethod.AES_256)
    pdf.output(str(path))
    return path


def corpus_paragraphs() -> list[str]:
    return [line for line in (CORPUS / SMALL[0]).read_text(encoding="utf-8").splitlines() if line.strip()][:30]


# ----------------------------------------------------------------------------- index helpers


def small_settings(tmp_path: Path, **update: object) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in SMALL:
        shutil.copy(CORPUS / name, corpus / name)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", data_dir=tmp_path / "data").model_copy(update=update)


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_EMBEDDING_CACHE": str(settings.embedding_cache),
                "HF_HUB_OFFLINE": "1", **extra})
    return env


def run_cli(settings: Settings, *args: str, stdin: bytes | None = None, **extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "assistant.present.cli", *args], env=env_for(settings, **extra), cwd=PROJECT_ROOT,
                          input=stdin, capture_output=True, timeout=600)


def assert_answers(settings: Settings, expected_sources: set[str] | None = None) -> None:
    """The index still answers the standard question, with citations."""
    response = PolicyAssistant(settings).engine.ask(QUESTION)
    assert not response.metadata["abstained"], response.response
    cited = {c["source"] for c in response.metadata["citations"]}
    assert cited, response.response
    if expected_sources is not None:
        assert cited <= expected_sources


@pytest.fixture
def small_index(tmp_path: Path) -> Settings:
    settings = small_settings(tmp_path)
    PolicyAssistant(settings).ingest(show_progress=False)
    return settings


# ----------------------------------------------------------------------------- hostile files


def test_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    import resource

    bomb = zip_bomb_docx(tmp_path / "bom.docx")
    assert bomb.stat().st_size < 2 * 2**20  # small on disk …
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DocumentRejected, match="zip bomb"):
        load_file(bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, f"peak memory grew {grown_mb:.0f} MB while refusing"  # … and never inflated


def test_docx_entity_bomb_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentRejected, match="entity bomb"):
        load_file(entity_bomb_docx(tmp_path / "thuc-the.docx"))


def test_docx_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    from assistant.config import DocumentLimits

    path = tmp_path / "nhieu-phan.docx"
    shutil.copy(_rewrite_docx(tmp_path / "base.docx", iter([b""])), path)
    with zipfile.ZipFile(path, "a") as package:
        for i in range(30):
            package.writestr(f"word/media/image{i}.png", b"x")
    with pytest.raises(DocumentRejected, match="tệp con"):
        load_file(path, DocumentLimits(max_docx_entries=20))


def test_encrypted_pdf_opens_without_password_and_is_refused_with_one(tmp_path: Path) -> None:
    paragraphs = corpus_paragraphs()
    protected = load_file(pdf_file(tmp_path / "chi-chong-sua.pdf", paragraphs, encrypt=True))  # AES-256, empty user password
    assert words(protected.text) == words("\n".join(paragraphs))
    with pytest.raises(DocumentRejected, match="mật khẩu"):
        load_file(pdf_file(tmp_path / "co-mat-khau.pdf", paragraphs, user_password="bi-mat-2025"))


def test_scanned_pdf_and_page_limit_say_why(tmp_path: Path) -> None:
    from assistant.config import DocumentLimits

    with pytest.raises(DocumentRejected, match="ảnh quét"):
        load_file(pdf_file(tmp_path / "scan.pdf", [], pages=2))
    with pytest.raises(DocumentRejected, match="6 trang"):
        load_file(pdf_file(tmp_path / "dai.pdf", ["Trang văn bản."], pages=6), DocumentLimits(max_pdf_pages=5))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path: Path, encoding: str) -> None:
    text = (CORPUS / SMALL[0]).read_text(encoding="utf-8")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode(encoding))
    assert words(load_file(path).text) == words(load_file(CORPUS / SMALL[0]).text)


def test_twenty_megabyte_text_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "khong-lo.txt"
    block = (CORPUS / SMALL[0]).read_bytes()
    with path.open("wb") as out:
        while out.tell() < 20 * 2**20:
            out.write(block)
    with pytest.raises(DocumentRejected, match="max_text_chars"):
        load_file(path)


def test_one_bad_file_never_aborts_a_batch(tmp_path: Path) -> None:
    """Zip bomb, entity bomb, password PDF, too many chunks and a good file in one folder: the
    good one is indexed, each other is listed with its reason, and the old documents stay."""
    from assistant.config import DocumentLimits

    settings = small_settings(tmp_path, document_limits=DocumentLimits(max_chunks_per_document=40))
    first = PolicyAssistant(settings).ingest(show_progress=False)
    assert not first.rejected and sorted(first.added) == SMALL
    batch = tmp_path / "batch"
    batch.mkdir()
    zip_bomb_docx(batch / "bom.docx")
    entity_bomb_docx(batch / "thuc-the.docx")
    pdf_file(batch / "co-mat-khau.pdf", ["Văn bản mật."], user_password="bi-mat")
    shutil.copy(CORPUS / "sonla-nghi-quyet-khong-ma-tuy-2030.md", batch / "nhieu-doan.md")  # 56 chunks > 40
    (batch / "tot.txt").write_text(GOOD_TEXT, encoding="utf-8")

    report = PolicyAssistant(settings).ingest([batch], show_progress=False)
    assert report.added == ["tot.txt"]
    assert sorted(report.unchanged) == SMALL
    assert set(report.rejected) == {"bom.docx", "thuc-the.docx", "co-mat-khau.pdf", "nhieu-doan.md"}
    assert "zip bomb" in report.rejected["bom.docx"] and "entity" in report.rejected["thuc-the.docx"]
    assert "mật khẩu" in report.rejected["co-mat-khau.pdf"] and "max_chunks_per_document" in report.rejected["nhieu-doan.md"]
    assert all(name in report.summary() for name in report.rejected)
    assert sorted(PolicyAssistant(settings).library.documents) == sorted([*SMALL, "tot.txt"])
    assert_answers(settings, set(SMALL))


def test_refused_upload_leaves_nothing_in_corpus(small_index: Settings, tmp_path: Path) -> None:
    from assistant.config import DocumentLimits

    before = sorted(p.name for p in small_index.corpus_dir.iterdir())
    pointer = (small_index.index_dir / "CURRENT").read_text()
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for path in (zip_bomb_docx(uploads / "bom.docx"), entity_bomb_docx(uploads / "thuc-the.docx"),
                 pdf_file(uploads / "khoa.pdf", ["Mật."], user_password="x")):
        with pytest.raises(DocumentRejected):
            PolicyAssistant(small_index).add_document(path)
    # refused only after parsing (too many chunks): also removed from the corpus again
    limited = small_index.model_copy(update={"document_limits": DocumentLimits(max_chunks_per_document=5)})
    shutil.copy(CORPUS / "sonla-2023-bien-gioi-lao.txt", uploads / "dai.txt")
    with pytest.raises(DocumentRejected, match="max_chunks_per_document"):
        PolicyAssistant(limited).add_document(uploads / "dai.txt")
    assert sorted(p.name for p in small_index.corpus_dir.iterdir()) == before
    assert (small_index.index_dir / "CURRENT").read_text() == pointer
    assert_answers(small_index)


# ----------------------------------------------------------------------------- ingest keeps documents


def test_ingest_of_one_file_adds_it_and_keeps_the_others(small_index: Settings, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "moi.txt").write_text(GOOD_TEXT, encoding="utf-8")
    done = run_cli(small_index, "ingest", str(elsewhere / "moi.txt"))
    assert done.returncode == 0, done.stderr.decode()
    assert "thêm 1" in done.stdout.decode() and "bỏ 0" in done.stdout.decode()
    assert sorted(PolicyAssistant(small_index).library.documents) == sorted([*SMALL, "moi.txt"])
    assert_answers(small_index, set(SMALL))

    # A plain `ingest` follows the corpus folder and keeps a document added from elsewhere.
    again = run_cli(small_index, "ingest")
    assert again.returncode == 0 and "bỏ 0" in again.stdout.decode(), again.stdout.decode()
    assert "moi.txt" in PolicyAssistant(small_index).library.documents

    # A copy under another name is refused: citations keep the original's name.
    copy = elsewhere / "ban-sao.md"
    shutil.copy(CORPUS / SMALL[1], copy)
    duplicate = run_cli(small_index, "ingest", str(copy))
    assert duplicate.returncode == 1 and SMALL[1] in duplicate.stdout.decode()
    response = PolicyAssistant(small_index).engine.ask("Sở Y tế Tuyên Quang phải làm gì?")
    assert {c["source"] for c in response.metadata["citations"]} == {SMALL[1]}

    # Removal only when asked for.
    replaced = run_cli(small_index, "ingest", "--replace", str(small_index.corpus_dir / SMALL[0]))
    assert replaced.returncode == 0 and "bỏ 2" in replaced.stdout.decode(), replaced.stdout.decode()
    assert list(PolicyAssistant(small_index).library.documents) == [SMALL[0]]


def test_ingest_of_a_bad_file_names_the_reason_and_changes_nothing(small_index: Settings, tmp_path: Path) -> None:
    pointer = (small_index.index_dir / "CURRENT").read_text()
    done = run_cli(small_index, "ingest", str(zip_bomb_docx(tmp_path / "bom.docx")))
    assert done.returncode == 1
    assert "bom.docx" in done.stdout.decode() and "zip bomb" in done.stdout.decode()
    assert b"Traceback" not in done.stderr
    assert (small_index.index_dir / "CURRENT").read_text() == pointer
    missing = run_cli(small_index, "ingest", str(tmp_path / "khong-co.txt"))
    assert missing.returncode == 2 and "Không tìm thấy" in missing.stderr.decode() and b"Traceback" not in missing.stderr
    assert_answers(small_index)


# ----------------------------------------------------------------------------- damaged indexes


def _live_build(settings: Settings) -> Path:
    return settings.index_dir / "builds" / (settings.index_dir / "CURRENT").read_text().strip()


DAMAGE = {
    "manifest": lambda s: _live_build(s) / "manifest.json",
    "library": lambda s: _live_build(s) / "library.json",  # what a question reads (the docstore is ingest's)
    "bm25": lambda s: _live_build(s) / "bm25" / "words" / "data.csc.index.npy",
    "chroma": lambda s: s.index_dir / "chroma" / "chroma.sqlite3",
}


@pytest.mark.parametrize("part", list(DAMAGE))
def test_damaged_index_is_detected_and_rebuilt(small_index: Settings, part: str) -> None:
    target = DAMAGE[part](small_index)
    data = target.read_bytes()
    target.write_bytes(b"\x00garbage" + data[len(data) // 2:])
    if part == "manifest":
        info = run_cli(small_index, "info")
        assert info.returncode == 3 and "assistant ingest --rebuild" in info.stderr.decode() and b"Traceback" not in info.stderr
    asked = run_cli(small_index, "ask", "--json", QUESTION)
    assert asked.returncode == 0, asked.stderr.decode()
    assert "Chỉ mục bị hỏng" in asked.stderr.decode() and "Đã dựng lại" in asked.stderr.decode()
    assert json.loads(asked.stdout)["citations"]
    again = run_cli(small_index, "ask", "--json", QUESTION)  # a new process: this one's Chroma client holds the damaged file
    assert again.returncode == 0 and not again.stderr.strip() and json.loads(again.stdout)["citations"]


def run_app(settings: Settings, **extra: str) -> subprocess.CompletedProcess[str]:
    """`python app.py` as an operator starts it; it must end by itself (here: nowhere to listen)."""
    return subprocess.run([sys.executable, "app.py"], env=env_for(settings, **extra), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)


def test_web_app_start_names_bad_settings_without_their_value(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed ASSISTANT_ADMINS stops `python app.py` (its `main`) at once, in one line that
    names the variable and never echoes the passwords in it."""
    import app

    monkeypatch.setenv("ASSISTANT_ADMINS", '{"quantri": "bi-mat-123"')
    with pytest.raises(SystemExit) as stopped:
        app.main()
    said = capsys.readouterr()
    assert stopped.value.code == 2 and len(said.err.strip().splitlines()) == 1, said.err
    assert "ASSISTANT_ADMINS" in said.err and "bi-mat-123" not in said.err + said.out


def test_web_app_start_warns_rebuilds_and_fails_in_one_line(small_index: Settings) -> None:
    """Listening beyond this machine without TLS and with a weak password is warned about (names,
    never passwords); a damaged index is rebuilt before the page starts; an address the server
    cannot listen on (192.0.2.1: a documentation address no machine here has) ends in one line."""
    target = DAMAGE["manifest"](small_index)
    target.write_bytes(b"\x00garbage")
    started = run_app(small_index, ASSISTANT_HOST="192.0.2.1", ASSISTANT_ADMINS='{"quantri": "123456"}')
    lines = started.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("CẢNH BÁO:")]
    assert len(warnings) == 2 and "TLS" in warnings[0] and "quantri" in warnings[1], started.stderr
    assert "123456" not in started.stderr and "Traceback" not in started.stderr
    assert any("Đã dựng lại chỉ mục" in line for line in lines)
    assert started.returncode != 0 and "app.py" in lines[-1] and "ASSISTANT_HOST" in lines[-1], started.stderr
    assert_answers(small_index)


# ----------------------------------------------------------------------------- full and read-only disks


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs (root only; the suite runs as root locally and in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    assert done.returncode == 0, f"tmpfs mount refused ({done.stderr.decode().strip()}): these tests need root"
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_named_and_leaves_no_partial_build(small_disk: Path) -> None:
    from assistant.index.ingest import StorageFailed

    settings = small_settings(small_disk)
    server = PolicyAssistant(settings)  # like the web app: one long-lived assistant
    server.ingest(show_progress=False)
    pointer = (settings.index_dir / "CURRENT").read_text()
    builds = sorted(p.name for p in (settings.index_dir / "builds").iterdir())
    free = shutil.disk_usage(small_disk).free
    with (small_disk / "filler").open("wb") as filler:
        filler.write(b"\0" * (free - 150 * 1024))
    extra = small_disk / "moi.txt"
    shutil.copy(CORPUS / "sonla-2023-thang-hanh-dong.txt", small_disk / "moi.txt")

    with pytest.raises(StorageFailed, match="Ổ đĩa đã đầy"):
        server.ingest([extra], show_progress=False)
    assert (settings.index_dir / "CURRENT").read_text() == pointer
    assert sorted(p.name for p in (settings.index_dir / "builds").iterdir()) == builds  # the partial build is gone
    assert server.engine.ask(QUESTION).metadata["citations"]
    cli = run_cli(settings, "ingest", str(extra))
    assert cli.returncode == 4 and "Ổ đĩa đã đầy" in cli.stderr.decode() and b"Traceback" not in cli.stderr
    assert_answers(settings)

    (small_disk / "filler").unlink()  # space freed: the same server adds the file and keeps answering
    assert server.ingest([extra], show_progress=False).added == ["moi.txt"]
    assert server.engine.ask(QUESTION).metadata["citations"]
    assert_answers(settings)


def test_read_only_index_is_named(small_disk: Path) -> None:
    settings = small_settings(small_disk)
    built = run_cli(settings, "ingest")  # in another process: this one must hold no file open for writing
    assert built.returncode == 0, built.stderr.decode()
    (small_disk / "moi.txt").write_text(GOOD_TEXT, encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        for args in (("ingest", str(small_disk / "moi.txt")), ("ask", QUESTION)):
            done = run_cli(settings, *args)
            assert done.returncode == 4, done.stderr.decode()
            assert "chỉ đọc" in done.stderr.decode() and b"Traceback" not in done.stderr
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert_answers(settings)


# ----------------------------------------------------------------------------- the command line


def test_jsonl_answers_every_line_in_order(small_index: Settings, tmp_path: Path) -> None:
    lines = [
        b"\xef\xbb\xbf" + json.dumps({"question": QUESTION}, ensure_ascii=False).encode(),  # BOM on the first line
        b"",
        b'{"question": null}',
        b'{"question": "s\xff\xfe y t\xe9"}',  # not UTF-8
        b'{"question": "12345"}',
        b"khong phai json",
        '{"cau_hoi": "thiếu khóa"}'.encode("utf-8"),
        json.dumps({"question": "x" * 2500}).encode(),
        b"   ",
        json.dumps({"question": "Công an tỉnh Tuyên Quang phải làm gì?"}, ensure_ascii=False).encode(),
    ]
    path = tmp_path / "cau-hoi.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = run_cli(small_index, "ask", "--jsonl", str(path))
    assert b"Traceback" not in done.stderr
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]  # valid UTF-8, one object a line
    assert [o["line"] for o in out] == list(range(1, len(lines) + 1))
    assert out[0]["question"] == QUESTION and out[0]["citations"] and "error" not in out[0]
    assert out[-1]["citations"] and "error" not in out[-1]
    for i in range(1, len(lines) - 1):
        assert out[i]["abstained"] and out[i]["error"] and not out[i]["citations"], out[i]
    assert "None" not in out[2]["answer"] and "UTF-8" in out[3]["error"] and "vượt giới hạn" in out[7]["error"]
    assert done.returncode == 0  # every line got its answer or its error

    piped = run_cli(small_index, "ask", "--jsonl", "-", stdin=json.dumps({"question": QUESTION}, ensure_ascii=False).encode("utf-8"))  # no final newline
    assert len(piped.stdout.splitlines()) == 1 and json.loads(piped.stdout)["citations"]


def test_cli_failures_are_one_line_without_traceback(small_index: Settings, tmp_path: Path) -> None:
    # a reader that goes away: `assistant info | head -1`
    reader = subprocess.Popen([sys.executable, "-m", "assistant.present.cli", "info"], env=env_for(small_index), cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()
    error = reader.stderr.read()
    assert reader.wait(timeout=120) == 0 and b"Traceback" not in error, error.decode()

    # a Chroma server with nothing listening
    down = run_cli(small_index, "ask", QUESTION, ASSISTANT_CHROMA_HOST="127.0.0.1", ASSISTANT_CHROMA_PORT=str(free_port()))
    assert down.returncode == 5 and "Không kết nối được máy chủ Chroma" in down.stderr.decode() and b"Traceback" not in down.stderr

    # a malformed administrators' list: named, its password never printed
    for value in ('["quantri", "Mat-Khau-Rat-Bi-Mat"]', '{"quantri": ["Mat-Khau-Rat-Bi-Mat"]}', "{quantri: Mat-Khau-Rat-Bi-Mat}"):
        bad = run_cli(small_index, "info", ASSISTANT_ADMINS=value)
        assert bad.returncode == 2 and "ASSISTANT_ADMINS" in bad.stderr.decode()
        assert b"Mat-Khau" not in bad.stderr + bad.stdout and b"Traceback" not in bad.stderr
    shown = run_cli(small_index, "--debug", "info", ASSISTANT_ADMINS='["quantri", "Mat-Khau-Rat-Bi-Mat"]')
    assert b"Traceback" in shown.stderr and b"Mat-Khau" not in shown.stderr  # --debug shows it, still without the secret

    # questions: too long, nonsense
    long = run_cli(small_index, "ask", "x" * 2001)
    assert long.returncode == 2 and "2,000" in long.stderr.decode(), long.stderr.decode()
    for nonsense in ("12345", "None", "<div><br/></div>"):
        refused = run_cli(small_index, "ask", "--json", nonsense)
        assert refused.returncode == 2, refused.stdout.decode()
        body = json.loads(refused.stdout)
        assert body["abstained"] and not body["citations"] and "Hãy hỏi bằng lời" in body["answer"]
    assert_answers(small_index)


def test_nonsense_is_refused_and_questions_with_markup_are_not(assistant: PolicyAssistant) -> None:
    from assistant.answering.engine import QuestionRejected

    engine = assistant.engine
    for text in ("12345", "None", "null", "<b></b>", "<script>alert(1)</script>", "??? !!!", "[09:41] Anh Tuấn: 2024"):
        with pytest.raises(QuestionRejected, match="không phải một câu hỏi"):  # the one refusal every front end handles
            engine.ask(text)
    for text in ("<p>Sở Y tế phải làm gì?</p>", "so y te phai lam gi"):
        response = engine.ask(text)
        assert not response.metadata["abstained"] and response.metadata["citations"]


# ----------------------------------------------------------------------------- hygiene


def test_builds_leave_no_stray_files(small_index: Settings, tmp_path: Path) -> None:
    assistant = PolicyAssistant(small_index)
    stray = small_index.index_dir / ".CURRENT.20250101T000000-dead00"
    stray.write_text("20250101T000000-dead00")  # a pointer switch killed before os.replace
    for i in range(3):
        (small_index.corpus_dir / "thay-doi.txt").write_text(GOOD_TEXT + f"2. Lần sửa thứ {i}: Sở Y tế báo cáo.\n", encoding="utf-8")
        assistant.ingest(show_progress=False)
    assert not stray.exists()
    chroma = small_index.index_dir / "chroma"
    folders = {p.name for p in chroma.iterdir() if p.is_dir()}
    collections = [c.name for c in assistant.store.client.list_collections()]
    assert len(collections) == 2  # the live build and the one it replaced
    assert len(folders) <= len(collections), f"vector folders of deleted collections left: {folders}"
    assert_answers(small_index)


def test_pyvi_model_leaves_no_temp_file(tmp_path: Path) -> None:
    """A server that is stopped (SIGTERM, as systemd does) leaves nothing in the temp folder."""
    import signal

    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    code = "import time; from assistant.segment import segment; print(segment('Sở Y tế chủ trì phối hợp'), flush=True); time.sleep(600)"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, env={**os.environ, "TMPDIR": str(private_tmp)},
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert server.stdout is not None
    try:
        assert "Y_tế" in server.stdout.readline().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert list(private_tmp.iterdir()) == []


def test_feedback_is_private_bounded_and_exported_inert(tmp_path: Path) -> None:
    import csv

    from assistant.present.feedback import FeedbackRefused, FeedbackStore

    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3", max_comment_chars=100, per_minute=3)
    first = store.add("up", "Sở Y tế phải làm gì?", "…", session="=HYPERLINK(\"http://x\",\"bấm\")")
    assert stat.S_IMODE((tmp_path / "data" / "feedback.sqlite3").stat().st_mode) == 0o600
    with pytest.raises(FeedbackRefused, match="100"):
        store.add("down", "q", "a", comment="x" * 101, session="s2")
    with pytest.raises(FeedbackRefused, match="100"):
        store.update(first, comment="y" * 101)
    for _ in range(3):
        store.add("up", "q", "a", session="s3")
    with pytest.raises(FeedbackRefused, match="quá nhanh"):
        store.add("up", "q", "a", session="s3")
    store.add("down", "+cmd|' /C calc'!A0", "@SUM(1)", comment="\tx", session="-2+3")
    out = tmp_path / "out.csv"
    store.export_csv(out)
    for row in csv.reader(out.open(encoding="utf-8-sig")):
        assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row), row


# ----------------------------------------------------------------------------- access and limits


def test_sign_in_is_slowed_locked_out_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    from assistant.present.access import AdminTokens, SignInGate

    now = [1000.0]
    slept: list[float] = []
    settings = Settings(admins={"quantri": "Mot-Mat-Khau-Dai-2025"})
    tokens = AdminTokens(settings.admin_token_minutes, clock=lambda: now[0])
    gate = SignInGate(settings.admins, settings, tokens, clock=lambda: now[0], sleep=slept.append)
    caplog.set_level("INFO", logger="assistant.present.access")
    for _ in range(settings.sign_in_max_failures):
        assert not gate.sign_in("quantri", "doan-sai", "10.0.0.9").ok
    assert slept == sorted(slept) and slept[-1] > slept[0]  # each failure costs more
    locked = gate.sign_in("quantri", "Mot-Mat-Khau-Dai-2025", "10.0.0.9")
    assert not locked.ok and "tạm khóa" in locked.message  # even the right password waits out the lockout
    assert "doan-sai" not in caplog.text and "Mot-Mat-Khau" not in caplog.text and "10.0.0.9" in caplog.text
    now[0] += settings.sign_in_lockout_minutes * 60 + 1
    signed = gate.sign_in("quantri", "Mot-Mat-Khau-Dai-2025", "10.0.0.9")
    assert signed.ok and tokens.holder(signed.token) == "quantri" and tokens.holder("quantri") is None
    now[0] += settings.admin_token_minutes * 60 + 1
    assert tokens.holder(signed.token) is None and not tokens.any_active()  # the token expired


def test_exposure_warnings_name_the_risk_not_the_secret() -> None:
    from assistant.present.access import exposure_warnings

    open_weak = Settings(host="0.0.0.0", admins={"admin": "admin", "quantri": "Mot-Mat-Khau-Dai-2025"})
    warnings = exposure_warnings(open_weak)
    assert len(warnings) == 2 and "TLS" in warnings[0] and "admin" in warnings[1] and "quantri" not in warnings[1]
    assert "Mot-Mat-Khau" not in " ".join(warnings)
    assert exposure_warnings(open_weak.model_copy(update={"host": "127.0.0.1"})) == []
    assert exposure_warnings(Settings(host="0.0.0.0", tls=True, admins={"quantri": "Mot-Mat-Khau-Dai-2025"})) == []


def test_api_key_and_upload_gates_on_a_real_gradio_server(tmp_path: Path) -> None:
    """The wiring app.py is to use: `launch(app_kwargs={"middleware": http_gates(settings, tokens)})`."""
    import gradio as gr
    import httpx
    from gradio_client import Client

    from assistant.present.access import AdminTokens, ApiKeyMiddleware, UploadGate, http_gates

    settings = Settings(admins={"quantri": "Mot-Mat-Khau-Dai-2025"}, api_key="khoa-api-2025")
    tokens = AdminTokens(settings.admin_token_minutes)
    with gr.Blocks() as demo:
        box = gr.Textbox()
        out = gr.Textbox()
        box.submit(lambda text: text.upper(), box, out, api_name="echo")
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                        app_kwargs={"middleware": http_gates(settings, tokens)})
    try:
        url = f"http://127.0.0.1:{port}/"
        with pytest.raises(Exception):
            Client(url, verbose=False).predict("a", api_name="/echo")
        assert Client(url, verbose=False, headers={"X-API-Key": "khoa-api-2025"}).predict("a", api_name="/echo") == "A"
        assert httpx.get(url + "gradio_api/info").status_code == 401
        page = httpx.Client(base_url=url)
        assert page.get("").status_code == 200  # a browser loads the page, and the server sets its token
        upload = lambda: page.post("gradio_api/upload", files={"files": ("x.txt", b"abc")})  # noqa: E731
        assert upload().status_code == 403  # nobody signed in
        token = tokens.issue("quantri")
        assert upload().status_code == 200
        assert httpx.post(url + "gradio_api/upload", files={"files": ("x.txt", b"abc")}).status_code == 401  # not from a page
        tokens.revoke(token)
        assert upload().status_code == 403
        assert httpx.get(url).status_code == 200  # the page itself stays open to staff
    finally:
        demo.close()
    unconfigured = http_gates(Settings(), tokens)  # no administrators: the upload route stays closed, even with a token
    assert [m.kwargs["tokens"] for m in unconfigured if m.cls is UploadGate] == [None]
    assert not [m for m in unconfigured if m.cls is ApiKeyMiddleware]


def test_session_limits() -> None:
    from assistant.present.sessions import idle_expired, kept_messages, kept_turns

    settings = Settings(session_turns=3, session_idle_minutes=10)
    assert kept_turns(list(range(10)), settings.session_turns) == [7, 8, 9]
    history = [m for i in range(5) for m in ({"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"})]
    kept = kept_messages(history, 2)
    assert [m["content"] for m in kept] == ["q3", "a3", "q4", "a4"]
    assert idle_expired(0.0, settings, now=601.0) and not idle_expired(0.0, settings, now=599.0)


def test_build_reaches_the_disk_before_the_pointer_switch(small_index: Settings, tmp_path: Path) -> None:
    """Traced with strace: every file of the new build is fsynced before CURRENT is renamed into place."""
    import re

    assert shutil.which("strace"), "needs strace: apt-get install strace (scripts/test.sh does it)"
    (tmp_path / "moi.txt").write_text(GOOD_TEXT, encoding="utf-8")
    trace = tmp_path / "trace.txt"
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,fsync,rename,renameat,renameat2", "-o", str(trace), sys.executable, "-m",
                           "assistant.present.cli", "ingest", str(tmp_path / "moi.txt")],
                          env=env_for(small_index), cwd=PROJECT_ROOT, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    build = _live_build(small_index)
    opened: dict[tuple[str, str], str] = {}  # (pid, fd) → path
    synced: set[str] = set()
    switched = False
    for line in trace.read_text().splitlines():
        pid = line.split(" ", 1)[0]
        if (found := re.search(r'openat\(AT_FDCWD, "([^"]+)", [^)]*\)\s+=\s+(\d+)$', line)):
            opened[(pid, found.group(2))] = found.group(1)
        elif (found := re.search(r"fsync\((\d+)\)\s+=\s+0", line)) and (pid, found.group(1)) in opened:
            synced.add(opened[(pid, found.group(1))])
        elif re.search(r'rename(?:at2?)?\((?:AT_FDCWD, )?"[^"]*\.CURRENT\.[^"]*", (?:AT_FDCWD, )?"[^"]*CURRENT"(?:, 0)?\)\s+=\s+0', line):
            switched = True
            break
    assert switched, "the pointer switch was not seen"
    files = [str(p) for p in build.rglob("*") if p.is_file()]
    assert files and [f for f in files if f not in synced] == []
    assert_answers(small_index)
