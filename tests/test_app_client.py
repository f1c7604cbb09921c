"""The web chat as scripts use it: a real server on a free local port, driven by gradio_client."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client

import app
from assistant.config import Settings
from assistant.present.access import AdminTokens
from assistant.present.feedback import FeedbackStore
from assistant.service import PolicyAssistant
from tests.conftest import free_port

FIRST = "Sở Y tế phải làm gì trong Tháng hành động phòng, chống ma túy năm 2023?"
SESSION_TURNS = 3  # the module's server keeps this many turns per session (no test here needs more)


@contextmanager
def serve(settings: Settings) -> Iterator[tuple[Any, str, PolicyAssistant]]:
    """build_app + launch exactly as `python app.py` does, on a free port; closed afterwards."""
    assistant = PolicyAssistant(settings)
    tokens = AdminTokens(settings.admin_token_minutes)
    demo = app.build_app(assistant, tokens)
    _, url, share_url = app.launch(demo, settings, tokens, port=free_port(), block=False)
    assert share_url is None
    try:
        yield demo, url.rstrip("/") + "/", assistant
    finally:
        demo.close()


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, Settings]]:
    settings = built_settings.model_copy(update={"admins": {}, "data_dir": tmp_path_factory.mktemp("client-data"), "session_turns": SESSION_TURNS,
                                                  "feedback_comment_chars": 200, "feedback_per_minute": 5})
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


def client(url: str) -> Client:
    return Client(url, verbose=False)


def text_of(messages: Any) -> str:
    """The reply as /chat returns it: a list of chat messages (answer, then sources)."""
    if isinstance(messages, str):
        return messages
    return "\n\n".join(str(m.get("content", "")) for m in messages)


def test_api_offers_chat_latest_and_feedback_only(server):
    _, url, _ = server
    api = client(url).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/chat", "/latest", "/feedback"}
    assert not api["unnamed_endpoints"]
    params = [p["parameter_name"] for p in api["named_endpoints"]["/chat"]["parameters"]]
    assert params == ["message", "documents", "provinces", "years"]
    assert api["named_endpoints"]["/latest"]["parameters"] == []  # about the session's own latest answer only


def test_chat_streams_a_cited_answer(server, output_dir: Path):
    _, url, _ = server
    timings: list[dict[str, float]] = []
    for question in (FIRST, "Khi nào các đơn vị phải gửi báo cáo kết quả về Công an tỉnh?", "Mục tiêu xây dựng tỉnh Sơn La không ma túy vào năm nào?"):
        session = client(url)
        started = time.perf_counter()
        job = session.submit(question, api_name="/chat")
        arrivals: list[float] = []
        for _ in job:
            arrivals.append(time.perf_counter() - started)
        messages, citations = job.result()
        total = time.perf_counter() - started
        assert len(job.outputs()) >= 3, "the answer should arrive in several pieces"
        chunks = [text_of(out[0]) for out in job.outputs()]
        assert all(later.startswith(earlier[:20]) for earlier, later in zip(chunks, chunks[1:]))
        assert citations and "[1]" in text_of(messages).replace("\\", "")
        assert messages[-1]["metadata"]["title"].startswith("Nguồn trích dẫn")
        for c in citations:
            assert {"n", "source", "title", "section", "quote", "province", "heading_path"} <= set(c)
        timings.append({"first_words_s": arrivals[0], "complete_s": total, "pieces": len(job.outputs())})
    for t in timings:
        print(f"\n/chat: first streamed words after {t['first_words_s'] * 1000:.0f} ms, complete after {t['complete_s'] * 1000:.0f} ms, {t['pieces']:.0f} pieces")
    (output_dir / "timings.json").write_text(json.dumps(timings, indent=1))  # figures, not asserted


def test_follow_up_uses_the_previous_turn(server):
    _, url, _ = server
    session = client(url)
    _, first = session.predict(FIRST, api_name="/chat")
    assert any("Sở Y tế" in c["heading_path"] for c in first)
    messages, citations = session.predict("Còn Công an tỉnh thì sao?", api_name="/chat")
    assert messages[0]["content"].startswith("*Câu hỏi được hiểu là:* Công an tỉnh phải làm gì trong Tháng hành động")
    assert citations and any("Công an tỉnh" in c["heading_path"] for c in citations)
    messages, citations = session.predict("ở Tuyên Quang thì sao?", api_name="/chat")
    assert "Tuyên Quang" in messages[0]["content"] and {c["province"] for c in citations} == {"Tuyên Quang"}
    # another session knows nothing of this conversation
    messages, _ = client(url).predict("Còn Công an tỉnh thì sao?", api_name="/chat")
    assert "Câu hỏi được hiểu là" not in text_of(messages)


def test_filters_restrict_the_search(server):
    _, url, _ = server
    _, citations = client(url).predict("Công an tỉnh phải làm gì?", [], ["Tuyên Quang"], [], api_name="/chat")
    assert citations and {c["province"] for c in citations} == {"Tuyên Quang"}
    messages, citations = client(url).predict(FIRST, ["sonla-2023-thang-hanh-dong.txt"], ["Tuyên Quang"], [], api_name="/chat")
    assert citations == [] and "Không có văn bản nào khớp bộ lọc" in text_of(messages)


def test_rejected_question_is_explained(server):
    _, url, _ = server
    messages, citations = client(url).predict("   ", api_name="/chat")
    assert citations == [] and "Câu hỏi trống" in text_of(messages)


def test_feedback_is_stored(server):
    _, url, settings = server
    session = client(url)
    with pytest.raises(Exception, match="Chưa có câu trả lời"):
        session.predict("up", "", 0, api_name="/feedback")
    _, citations = session.predict(FIRST, [], [], ["2023"], api_name="/chat")
    result = session.predict("down", "Thiếu phần phối hợp", 1, api_name="/feedback")
    assert result.startswith("Đã ghi nhận phản hồi #")
    again = session.predict("up", "Thật ra đúng", 0, api_name="/feedback")
    assert re.search(r"#(\d+)", again)[1] == re.search(r"#(\d+)", result)[1]  # same answer: same row, updated
    records = [r for r in FeedbackStore(settings.feedback_db).all() if r.question == FIRST]
    assert len(records) == 1
    record = records[0]
    assert record.rating == "up" and record.comment == "Thật ra đúng"
    assert record.citations == citations and record.filters == {"documents": [], "provinces": [], "years": ["2023"]}
    assert "Sở Y tế" in record.answer and record.build_id and record.session


def test_parallel_questions_do_not_wait_for_each_other(server):
    _, url, settings = server
    questions = [FIRST, "Công an tỉnh phải làm gì?", "Ai ký kế hoạch của Tuyên Quang?", "Sở Tài chính có nhiệm vụ gì?"] * 2
    spans: dict[int, tuple[float, float]] = {}  # first streamed piece → last piece, per question
    results: dict[int, Any] = {}

    def ask(i: int, question: str) -> None:
        job = client(url).submit(question, api_name="/chat")
        first = None
        for _ in job:
            first = first if first is not None else time.perf_counter()
        results[i] = job.result()
        spans[i] = (first if first is not None else time.perf_counter(), time.perf_counter())

    started = time.perf_counter()
    threads = [threading.Thread(target=ask, args=(i, q)) for i, q in enumerate(questions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    print(f"\n{len(questions)} parallel /chat calls done in {time.perf_counter() - started:.1f} s (concurrency {settings.concurrency})")
    assert len(results) == len(questions) and all(r[1] for r in results.values())
    # A server answering one question at a time streams each answer only after the previous one ended.
    overlapping = [(a, b) for a in spans for b in spans if a < b and spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]]
    assert overlapping, spans


def test_safe_defaults(server):
    demo, url, settings = server
    assert url.startswith(f"http://{settings.host}:") and settings.host == "127.0.0.1"
    assert demo.analytics_enabled is False
    assert demo.share is False
    chat = next(fn for fn in demo.fns.values() if fn.api_name == "chat")
    # "default" = the queue's default_concurrency_limit, i.e. settings.concurrency workers for /chat
    assert chat.concurrency_limit == "default" and demo._queue.default_concurrency_limit == settings.concurrency
    assert demo._queue.event_queue_per_concurrency_id[chat.concurrency_id].concurrency_limit == settings.concurrency
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url + "monitoring", timeout=10)
    # without configured administrators there is no upload tab (and so no upload handler)
    labels = {c.get("props", {}).get("label") for c in demo.config["components"]}
    assert "Thêm văn bản" not in labels and "Văn bản" in labels


# ----------------------------------------------------------------------------- limits and access (issue 11)


def test_session_keeps_only_its_last_turns(server):
    """A session keeps `session_turns` turns: older answers can no longer be rated (their numbers
    start again at the oldest kept), and a follow-up still reads the latest."""
    _, url, _ = server
    session = client(url)
    questions = [FIRST, "Công an tỉnh phải làm gì?", "Ai ký kế hoạch của Tuyên Quang?", "Sở Tài chính có nhiệm vụ gì?", "Sở Ngoại vụ phải làm gì?"]
    for question in questions:
        session.predict(question, api_name="/chat")
    with pytest.raises(Exception, match=f"Không có câu trả lời số {SESSION_TURNS + 1}"):
        session.predict("up", "", SESSION_TURNS + 1, api_name="/feedback")
    session.predict("down", "", 1, api_name="/feedback")
    rated = [r.question for r in FeedbackStore(server[2].feedback_db).all() if r.session == session.session_hash]
    assert rated == [questions[-SESSION_TURNS]], "answer 1 is now the oldest kept"
    messages, _ = session.predict("Còn Sở Y tế thì sao?", api_name="/chat")
    assert "Câu hỏi được hiểu là" in text_of(messages)


def test_over_long_question_is_refused_and_kept_nowhere(server):
    _, url, settings = server
    session = client(url)
    session.predict(FIRST, api_name="/chat")
    long_question = ("Sở Y tế phải làm gì " * 200)[: settings.max_question_chars + 1]
    messages, citations = session.predict(long_question, api_name="/chat")
    assert citations == [] and f"vượt giới hạn {settings.max_question_chars:,}" in text_of(messages)
    # nothing of it was kept: the session still has one answer, the follow-up still reads it
    with pytest.raises(Exception, match="Không có câu trả lời số 2"):
        session.predict("up", "", 2, api_name="/feedback")
    messages, _ = session.predict("Còn Công an tỉnh thì sao?", api_name="/chat")
    assert messages[0]["content"].startswith("*Câu hỏi được hiểu là:* Công an tỉnh phải làm gì trong Tháng hành động")


def test_a_hundred_megabyte_question_is_refused_unread(server):
    """Issue 11 saw a 100 MB question accepted and kept (405 → 1,329 MB in ten requests): it is
    refused before gradio parses it (413, and why in Vietnamese), and the session is as it was."""
    demo, url, settings = server
    session = client(url)
    session.predict(FIRST, api_name="/chat")
    chat = next(i for i, fn in demo.fns.items() if fn.api_name == "chat")
    question = ("Sở Y tế phải làm gì " * (100 * 2**20 // 20)).encode()  # as this session's /chat call carries it
    body = b'{"data": ["' + question + b'", [], [], []], "fn_index": %d, "session_hash": "%s"}' % (chat, session.session_hash.encode())
    refused = httpx.post(url + "gradio_api/queue/join", content=body, headers={"content-type": "application/json"}, timeout=120)
    del question, body
    assert refused.status_code == 413 and refused.json()["detail"].startswith("Yêu cầu quá lớn (tối đa 10 MB)"), refused.text
    messages, _ = session.predict("Còn Công an tỉnh thì sao?", api_name="/chat")  # still the one turn to follow up on
    assert messages[0]["content"].startswith("*Câu hỏi được hiểu là:* Công an tỉnh phải làm gì trong Tháng hành động")


def test_feedback_over_its_limits_is_refused_with_a_message(server):
    _, url, settings = server
    session = client(url)
    session.predict(FIRST, api_name="/chat")
    with pytest.raises(Exception, match=f"vượt giới hạn {settings.feedback_comment_chars:,} ký tự"):
        session.predict("down", "x" * (settings.feedback_comment_chars + 1), 1, api_name="/feedback")
    assert not [r for r in FeedbackStore(settings.feedback_db).all() if r.comment.startswith("xxx")]
    for _ in range(settings.feedback_per_minute):
        session.predict("up", "", 1, api_name="/feedback")
    with pytest.raises(Exception, match="quá nhanh"):
        session.predict("up", "", 1, api_name="/feedback")


def test_feedback_export_keeps_what_clients_chose_inert(server, tmp_path: Path):
    """The session id is the client's choice, like the question and the comment: none of them
    comes out of the CSV export as a live spreadsheet formula."""
    import csv

    _, url, settings = server
    session = client(url)
    session.session_hash = '=HYPERLINK("http://x.invalid","bấm")'
    session.predict("@SUM(1) Sở Y tế phải làm gì?", api_name="/chat")
    session.predict("down", "+cmd|' /C calc'!A0", 1, api_name="/feedback")
    out = tmp_path / "phan-hoi.csv"
    FeedbackStore(settings.feedback_db).export_csv(out)
    rows = [row for row in csv.DictReader(out.open(encoding="utf-8-sig")) if "HYPERLINK" in row["session"]]
    assert len(rows) == 1 and rows[0]["session"] == "'" + session.session_hash and rows[0]["comment"].startswith("'+cmd")
    assert rows[0]["question"].startswith("'@SUM(1)")
    assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in rows[0].values())


def test_upload_route_is_closed_without_administrators(server):
    _, url, _ = server
    response = httpx.post(url + "gradio_api/upload", files={"files": ("x.txt", b"abc")})
    assert response.status_code == 403 and "quản trị" in response.text


ADMIN, PASSWORD, API_KEY = "quantri", "Mot-Mat-Khau-Dai-2025", "khoa-api-thu-2025"
TOKEN_MINUTES = 0.05  # three seconds


@pytest.fixture(scope="module")
def guarded(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, Settings]]:
    """A server with an administrator, short sign-ins and an API key."""
    root = tmp_path_factory.mktemp("guarded")
    settings = Settings(**{
        **built_settings.model_dump(), "data_dir": root / "data", "corpus_dir": root / "corpus",
        "admins": {ADMIN: PASSWORD}, "api_key": API_KEY, "admin_token_minutes": TOKEN_MINUTES, "sign_in_delay_seconds": 0.01,
    })
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


class PageSession:
    """What the page itself sends (gradio's queue protocol, with the token the server set when it
    served the page), for the events the API does not offer (signing in, adding a document): as
    a person with a browser, or a program imitating one, can."""

    def __init__(self, demo: Any, url: str) -> None:
        self.demo = demo
        self.session = uuid.uuid4().hex[:12]
        self.http = httpx.Client(base_url=url, timeout=120)
        assert self.http.get("").status_code == 200  # the page, and with it the page's token

    def call(self, name: str, *data: Any) -> dict[str, Any]:
        """Run the page's event handler `name`; its last message (output, or error and title)."""
        index = next(i for i, fn in self.demo.fns.items() if fn.name == name)
        joined = self.http.post("gradio_api/queue/join", json={"data": list(data), "fn_index": index, "session_hash": self.session})
        assert joined.status_code == 200, joined.text
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                    return message
        raise AssertionError(f"{name}: no result")

    def upload(self, name: str, content: bytes) -> httpx.Response:
        return self.http.post("gradio_api/upload", files={"files": (name, content)})


def test_add_document_needs_a_live_server_issued_token(guarded):
    demo, url, settings = guarded
    document = b"KE HOACH\n\n1. So Khoa hoc va Cong nghe chu tri kiem tra thu nghiem truoc ngay 15/3/2025.\n"
    admin = PageSession(demo, url)
    assert admin.upload("moi.txt", document).status_code == 403  # nobody signed in: gradio's upload route is closed
    assert admin.call("check", ADMIN, "sai")["success"]  # a wrong password is an answer, not an error…
    assert admin.upload("moi.txt", document).status_code == 403  # …and opens nothing
    signed = admin.call("check", ADMIN, PASSWORD)
    assert signed["success"] and PASSWORD not in json.dumps(signed)
    uploaded = admin.upload("moi.txt", document)
    assert uploaded.status_code == 200
    path = uploaded.json()[0]
    assert admin.call("choose", {"path": path, "orig_name": "moi.txt", "meta": {"_type": "gradio.FileData"}})["success"]

    intruder = PageSession(demo, url)  # the State slot is the server's: a token the client sends is ignored
    refused = intruder.call("add_document", None, "forged-token")
    assert not refused["success"] and "Cần đăng nhập" in json.dumps(refused, ensure_ascii=False)

    time.sleep(TOKEN_MINUTES * 60 + 1)  # the sign-in expires
    expired = admin.call("add_document", None, None)
    assert not expired["success"] and "Phiên quản trị đã hết hạn" in json.dumps(expired, ensure_ascii=False)
    assert not (settings.corpus_dir / "moi.txt").exists()
    assert admin.upload("moi.txt", document).status_code == 403  # and the upload route closed with it


def test_api_key_is_required_for_chat_when_configured(guarded):
    _, url, _ = guarded
    with pytest.raises(Exception):
        client(url).predict(FIRST, api_name="/chat")
    rest = httpx.post(url + "gradio_api/call/chat", json={"data": [FIRST, [], [], []]})
    assert rest.status_code == 401 and "X-API-Key" in rest.text
    assert httpx.post(url + "gradio_api/call/latest", json={"data": []}).status_code == 401
    _, citations = Client(url, verbose=False, headers={"X-API-Key": API_KEY}).predict(FIRST, api_name="/chat")
    assert citations
    assert httpx.get(url).status_code == 200  # the page stays open to staff
