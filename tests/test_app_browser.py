"""The web chat as staff see it: headless Chromium (Playwright) against a real server.

Screenshots land in tests/output/<test name>/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api

from assistant.config import Settings
from assistant.present.feedback import FeedbackStore
from tests.test_app_client import FIRST, serve

CHROMIUM = Path("/usr/bin/chromium")
ADMIN, PASSWORD = "quantri", "mật-khẩu-thử"
ANSWER_TIMEOUT = 60_000


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, Settings]]:
    """Its own copy of the built index and corpus: the upload test adds a document."""
    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(built_settings.index_dir, root / "index")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    settings = built_settings.model_copy(update={
        "index_dir": root / "index", "corpus_dir": root / "corpus", "data_dir": root / "data", "admins": {ADMIN: PASSWORD},
    })
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():  # a missing browser is a broken test machine, not a reason to skip
        pytest.fail("Debian chromium is not installed (apt-get install -y chromium; scripts/test.sh does it)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: tuple[Any, str, Settings]) -> Iterator[Any]:
    """A fresh browser session; fails the test on any dialog (alert) or request off this machine."""
    _, url, _ = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    tab = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("request", lambda request: outside.append(request.url) if not re.match(r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:)", request.url) else None)
    tab.goto(url)
    tab.locator("#question textarea").wait_for()
    yield tab
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert outside == [], f"the page asked other hosts: {outside}"


def ask(page: Any, question: str) -> Any:
    """Type a question, wait until its answer has finished streaming; returns the last bot message."""
    before = page.locator("#chatbot .bot").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot .bot').length > n", arg=before, timeout=ANSWER_TIMEOUT,
    )
    # streaming is over when the input is usable again
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(300)
    return page.locator("#chatbot .bot").last


def choose_file(page: Any, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#upload-file .upload-container").click()
    chooser.value.set_files(str(path))
    page.locator("#upload-file").get_by_text(path.name).first.wait_for()


def test_ask_see_citations_and_open_a_source(page: Any, output_dir: Path):
    assert page.get_by_text("Sở Y tế phải làm gì trong Tháng hành động").first.is_visible()  # example questions
    page.screenshot(path=str(output_dir / "empty.png"))
    ask(page, FIRST)
    chat = page.locator("#chatbot")
    assert "Duy trì và tổ chức có hiệu quả" in chat.inner_text()
    assert chat.locator("strong", has_text="[1]").count() >= 1
    # the sources under the answer: a closed box, opened on click
    first_source = chat.get_by_text(re.compile(r"^\[1\] Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023 — Sơn La · Mục III\.4 \(Sở Y tế\)"))
    assert first_source.count() == 0
    chat.get_by_text(re.compile(r"^Nguồn trích dẫn: \d+ đoạn trong \d+ văn bản$")).click()
    first_source.wait_for()
    assert "“Duy trì và tổ chức có hiệu quả" in chat.inner_text()
    # the sources panel shows the first source's section with the quote highlighted
    highlighted = page.locator("#source-text .highlighted")
    highlighted.first.wait_for()
    assert highlighted.first.inner_text().startswith("Duy trì và tổ chức có hiệu quả")
    assert "4. Sở Y tế" in page.locator("#source-text").inner_text()
    first_source.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(output_dir / "answer.png"))
    # open source [2]
    page.locator("#source-pick input").click()
    page.get_by_role("option", name=re.compile(r"^\[2\] ")).click()
    page.wait_for_function(
        "() => (document.querySelector('#source-text .highlighted') || {}).innerText?.startsWith('Tổ chức các hoạt động tuyên truyền')",
        timeout=10_000,
    )
    page.get_by_role("option").first.wait_for(state="hidden")  # the choice list closes over nothing
    page.screenshot(path=str(output_dir / "source.png"), full_page=True)


def test_follow_up_and_new_conversation(page: Any, output_dir: Path):
    ask(page, FIRST)
    reply = ask(page, "Còn Công an tỉnh thì sao?")
    assert reply.inner_text().startswith("Câu hỏi được hiểu là: Công an tỉnh phải làm gì trong Tháng hành động")
    assert "Mở đợt cao điểm tấn công" in reply.inner_text()
    assert page.get_by_text("Câu trả lời số 2:").is_visible()  # the sources panel follows the latest answer
    page.screenshot(path=str(output_dir / "follow-up.png"))
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .bot').length === 0", timeout=10_000)
    page.get_by_text("Nguồn của câu trả lời sẽ hiện ở đây.").wait_for()  # the sources panel is reset too
    reply = ask(page, "Còn Công an tỉnh thì sao?")
    assert "Câu hỏi được hiểu là" not in reply.inner_text()


def test_markup_in_a_question_shows_as_text(page: Any, output_dir: Path):
    question = "<script>alert(1)</script> <img src=x onerror=alert(2)> [bấm đây](http://evil.example) **Sở Y tế** phải làm gì?"
    reply = ask(page, question)
    user = page.locator("#chatbot .user").last
    assert user.inner_text().strip() == question
    chat = page.locator("#chatbot")
    assert chat.locator("script").count() == 0
    assert chat.locator("img").count() == 0
    assert chat.locator("a[href*='evil']").count() == 0
    assert page.evaluate("() => window.__xss === undefined")
    assert reply.inner_text()  # answered (the question still asks about Sở Y tế)
    user.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "script-question.png"))


def test_thumbs_and_comment_are_stored(page: Any, server: tuple[Any, str, Settings]):
    _, _, settings = server
    ask(page, "Ai ký kế hoạch của Tuyên Quang?")
    page.locator("#chatbot button[aria-label='Dislike']").last.click()
    box = page.locator("#feedback-box")
    box.wait_for(state="visible")
    assert "chưa đúng" in box.inner_text()
    page.locator("#feedback-comment textarea").fill("Cần nêu cả chức vụ người ký")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.get_by_text("Đã lưu góp ý").wait_for()
    records = [r for r in FeedbackStore(settings.feedback_db).all() if r.question == "Ai ký kế hoạch của Tuyên Quang?"]
    assert len(records) == 1
    assert records[0].rating == "down" and records[0].comment == "Cần nêu cả chức vụ người ký" and records[0].citations
    # taking the thumb back removes the feedback
    page.locator("#chatbot button[aria-label='Disliked']").last.click()
    box.wait_for(state="hidden")
    assert not [r for r in FeedbackStore(settings.feedback_db).all() if r.question == "Ai ký kế hoạch của Tuyên Quang?"]


def test_documents_tab_lists_and_reads_documents(page: Any, output_dir: Path):
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    table = page.locator("#documents-table")
    table.get_by_text("Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023").first.wait_for()
    assert "Tuyên Quang" in table.inner_text() and "Số đoạn" in table.inner_text()
    page.get_by_label("Đọc văn bản").click()
    page.get_by_role("option", name=re.compile(r"^Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023")).click()
    page.locator("#document-info").get_by_text("sonla-2023-thang-hanh-dong.txt").wait_for()
    outline = page.locator("#outline")
    row = outline.get_by_text("Sở Y tế", exact=True)  # the heading of Mục III.4 in this document only
    row.wait_for()
    full = page.locator("#document-text textarea")
    assert "PHÂN CÔNG TRÁCH NHIỆM" in full.input_value()
    row.click()
    page.wait_for_function("() => document.querySelector('#document-text textarea').value.startsWith('Kế hoạch › III. PHÂN CÔNG TRÁCH NHIỆM › 4. Sở Y tế')")
    assert "Duy trì và tổ chức có hiệu quả" in full.input_value()
    page.screenshot(path=str(output_dir / "documents.png"), full_page=True)


def test_admin_signs_in_and_adds_a_document(page: Any, output_dir: Path, tmp_path: Path):
    page.get_by_role("tab", name="Thêm văn bản").click()
    assert not page.locator("#upload-file").is_visible()
    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill("sai")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.").wait_for()
    assert not page.locator("#upload-file").is_visible()
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("#upload-file").wait_for(state="visible")

    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"this is not a pdf")
    choose_file(page, broken)
    page.get_by_role("button", name="Đưa vào chỉ mục").click()
    page.locator("#upload-result").get_by_text("không đọc được như PDF").wait_for(timeout=30_000)

    document = tmp_path / "thu-nghiem-kiem-tra-2025.md"
    document.write_text(
        "ỦY BAN NHÂN DÂN TỈNH SƠN LA\n\n# KẾ HOẠCH\n\nKiểm tra thử nghiệm công tác phòng, chống ma túy năm 2025\n\n"
        "## I. MỤC ĐÍCH\n\n1. Bảo đảm mọi đơn vị nắm được quy trình kiểm tra thử nghiệm.\n\n"
        "## II. PHÂN CÔNG TRÁCH NHIỆM\n\n1. Sở Khoa học và Công nghệ\n\nChủ trì kiểm tra thử nghiệm hệ thống tra cứu văn bản trước ngày 15/3/2025.\n",
        encoding="utf-8",
    )
    page.locator("#upload-file button[aria-label='Clear']").click()
    choose_file(page, document)
    page.get_by_role("button", name="Đưa vào chỉ mục").click()
    page.locator("#upload-result").get_by_text("Đã thêm thu-nghiem-kiem-tra-2025.md").wait_for(timeout=120_000)
    assert "Đã cập nhật chỉ mục" in page.locator("#upload-result").inner_text()
    page.screenshot(path=str(output_dir / "upload.png"), full_page=True)
    # the new document is listed and answers questions
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    page.locator("#documents-table").get_by_text("Kiểm tra thử nghiệm", exact=False).first.wait_for(timeout=10_000)
    page.get_by_role("tab", name="Hỏi đáp").click()
    reply = ask(page, "Sở Khoa học và Công nghệ phải làm gì?")
    assert "Chủ trì kiểm tra thử nghiệm hệ thống tra cứu văn bản" in reply.inner_text()
