"""Answers that get better with use, in the real app (headless Chromium against a real server):
a question rated "Chưa đúng" reaches the review queue, an administrator approves a corrected
answer built from passages picked in a document, the same question typed without accents gets
that answer first (and the assistant's own on request), and replacing the cited document
withdraws it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.present.approved import ApprovedStore
from assistant.present.feedback import FeedbackStore
from assistant.service import PolicyAssistant
from tests.test_app_browser import ADMIN, PASSWORD, ask, browser, open_page, DESKTOP  # noqa: F401  (fixture)
from tests.test_app_client import serve

QUESTION = "Sở Y tế Sơn La phải làm gì trong Tháng hành động 2023?"
WITHOUT_ACCENTS = "so y te son la phai lam gi trong thang hanh dong 2023"
SOURCE = "sonla-2023-thang-hanh-dong.txt"
RELOAD_TIMEOUT = 180_000  # the first answer after a rebuild reloads the index: slow on a loaded machine


def new_chat(page: Any) -> None:
    """A new conversation, once the old one is off the screen: `ask` numbers the next answer by the
    answers shown, and counting before the chat cleared waited for an answer number 3 that never came."""
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .bot-row').length === 0")


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, Settings]]:
    """Its own copy of the index and corpus: the test replaces a document."""
    root = tmp_path_factory.mktemp("review-browser")
    shutil.copytree(built_settings.index_dir, root / "index")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    settings = Settings(**{
        **built_settings.model_dump(), "index_dir": root / "index", "corpus_dir": root / "corpus", "data_dir": root / "data",
        "admins": {ADMIN: PASSWORD}, "sign_in_delay_seconds": 0.05,
    })
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


def test_wrong_answer_reviewed_corrected_approved_and_withdrawn(browser: Any, server: tuple[Any, str, Settings], output_dir: Path) -> None:
    _, url, settings = server
    context, page, dialogs, outside = open_page(browser, url, DESKTOP)
    # Staff: a question, rated "Chưa đúng" with a comment.
    ask(page, QUESTION)
    page.locator("#rate-down").click()
    page.locator("#feedback-comment textarea").fill("Thiếu việc xác định tình trạng nghiện")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.get_by_text("Đã lưu góp ý").wait_for()

    # The administrator: signs in on "Quản trị"; the question is in the queue with the comment.
    page.get_by_role("tab", name="Quản trị").click()
    page.locator("#review-sign-in").get_by_label("Tên đăng nhập").fill(ADMIN)
    page.locator("#review-sign-in").get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("#review-sign-in-button").click()
    page.locator("#review-area").wait_for()
    page.locator("#review-detail").get_by_text("Thiếu việc xác định tình trạng nghiện").wait_for()
    assert "Sơn La" in page.locator("#review-table").inner_text()
    page.screenshot(path=str(output_dir / "review-queue.png"))

    # ... composes a corrected answer from a passage picked in the document.
    page.locator("#review-correct").get_by_text("Sửa: soạn câu trả lời từ đoạn văn bản").click()
    page.locator("#review-document input").click()
    page.get_by_role("option", name=re.compile(r"^Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023")).click()
    page.locator("#review-section input").click()
    page.get_by_role("option", name=re.compile(r"Sở Y tế")).first.click()
    box = page.locator("#review-quote textarea")
    page.wait_for_function("() => document.querySelector('#review-quote textarea').value.length > 100")
    sentence = max(box.input_value().split("\n"), key=len).strip().lstrip("-• ")  # a line of the section, without its bullet
    box.fill(sentence + " thêm chữ tự viết")  # not the document's words: refused
    page.locator("#review-add-passage").click()
    page.get_by_text("Đoạn trích không có nguyên văn").first.wait_for()
    box.fill(sentence)
    page.locator("#review-add-passage").click()
    page.locator("#review-picked").get_by_text(sentence[:40]).wait_for()
    page.locator("#review-note textarea").fill("Theo Kế hoạch của UBND tỉnh.")
    page.locator("#review-save-correction").click()
    page.locator("#review-result").get_by_text("Đã duyệt câu trả lời đã sửa").wait_for()
    page.screenshot(path=str(output_dir / "review-approved.png"))

    # Staff: the same question without accents gets the approved answer, marked, with its citation.
    page.get_by_role("tab", name="Hỏi đáp").click()
    new_chat(page)
    reply = ask(page, WITHOUT_ACCENTS)
    text = reply.inner_text()
    assert "Câu trả lời đã được duyệt ngày" in text
    assert " ".join(sentence.split())[:60] in " ".join(text.split())
    assert "Ghi chú của quản trị viên: Theo Kế hoạch của UBND tỉnh." in text
    assert reply.locator('a[href="#nguon-1"]').count() == 1
    page.screenshot(path=str(output_dir / "approved-in-chat.png"))
    # ... and the assistant's own answer below, on request.
    page.locator("#usual-answer").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .bot-row').length >= 2", timeout=60_000)
    page.wait_for_function("() => (document.querySelector('#answer-hint') || {}).innerText?.startsWith('Câu trả lời số 2:')", timeout=60_000)
    assert "đã được duyệt" not in page.locator("#chatbot .bot-row").nth(1).inner_text()

    # The cited document is replaced: the approved answer is withdrawn, never shown again.
    path = settings.corpus_dir / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\nNơi nhận: bản thay thế.\n", encoding="utf-8")
    PolicyAssistant(settings).ingest([path], show_progress=False)
    new_chat(page)
    reply = ask(page, WITHOUT_ACCENTS, RELOAD_TIMEOUT)  # the server loads the rebuilt index first
    assert "đã được duyệt" not in reply.inner_text()
    withdrawn = ApprovedStore(FeedbackStore.from_settings(settings)).all()
    assert [a.status for a in withdrawn] == ["withdrawn"] and "thay bằng" in withdrawn[0].withdrawn_reason
    page.get_by_role("tab", name="Quản trị").click()
    page.locator("#review-refresh").click()
    page.locator("#review-detail").get_by_text("Đã rút (văn bản đổi): 1").wait_for()
    assert "thay bằng bản khác" in page.locator("#review-detail").inner_text()

    # The usage figures count what happened: 4 questions answered (one by the approved answer).
    page.get_by_role("tab", name="Thống kê sử dụng").click()
    page.locator("#usage-refresh").click()
    page.wait_for_function("() => /Số câu hỏi\\s+4\\b/.test(document.querySelector('#usage-summary').innerText)", timeout=30_000)
    summary = page.locator("#usage-summary").inner_text()
    assert re.search(r"Trả lời bằng câu đã duyệt\s+1\b", summary) and re.search(r"Tỉ lệ được đánh giá\s+25\.0% \(1\)", summary), summary
    page.screenshot(path=str(output_dir / "usage.png"))
    context.close()
    assert dialogs == [] and outside == []
