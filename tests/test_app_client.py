"""The web chat as scripts use it: a real server on a free local port, driven by gradio_client."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    settings = built_settings.model_copy(update={"admins": {}, "data_dir": tmp_path_factory.mktemp("client-data"), "session_turns": SESSION_TURNS})
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


def client(url: str) -> Client:
    return Client(url, verbose=False)


def text_of(messages: Any) -> str:
    """The reply as /chat returns it: a list of chat messages (answer, then sources)."""
    if isinstance(messages, str):
        return messages
    return "\n\n".join(str(m.get("content", "")) for m in messages)


def test_api_offers_chat_and_feedback_only(server):
    _, url, _ = server
    api = client(url).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/chat", "/feedback"}
    assert not api["unnamed_endpoints"]
    params = [p["parameter_name"] for p in api["named_endpoints"]["/chat"]["parameters"]]
    assert params == ["message", "documents", "provinces", "years"]


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
