"""The web chat as staff see it: headless Chromium (Playwright) against a real server, at desktop
(1366×768) and phone (390×844) sizes.

Screenshots land in tests/output/<test name>/ for a person to look at. The accessibility check
injects axe-core from the npm registry (scripts/test.sh installs it into tests/axe/).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document
from gradio_client import Client
from playwright import sync_api

from assistant.config import PROJECT_ROOT, Settings
from assistant.present.export import footnote_texts
from assistant.present.feedback import FeedbackStore
from assistant.service import PolicyAssistant
from assistant.text import collapse_spaces
from tests.test_app_client import FIRST, serve

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN, PASSWORD = "quantri", "mật-khẩu-thử"
LOCKOUT_MINUTES = 0.1  # six seconds
ANSWER_TIMEOUT = 60_000
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
LINK = 'a[href^="#nguon-"]'


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, Settings]]:
    """Its own copy of the built index and corpus: the upload test adds a document."""
    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(built_settings.index_dir, root / "index")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    settings = Settings(**{
        **built_settings.model_dump(), "index_dir": root / "index", "corpus_dir": root / "corpus", "data_dir": root / "data",
        "admins": {ADMIN: PASSWORD}, "api_key": "khoa-api-thu",  # the page works as it is when programs need a key
        "sign_in_delay_seconds": 0.05, "sign_in_max_failures": 3, "sign_in_lockout_minutes": LOCKOUT_MINUTES,
    })
    with serve(settings) as (demo, url, _):
        yield demo, url, settings


@pytest.fixture(scope="module")
def first_answer(server: tuple[Any, str, Settings]) -> dict[str, Any]:
    """What the engine answers FIRST on the server's index: the page must show exactly that
    (which documents come first and how many passages is the answerers' business, not the page's)."""
    response = PolicyAssistant(server[2]).engine.ask(FIRST)
    return {"answer": response.response or "", "citations": list((response.metadata or {})["citations"])}


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


def open_page(browser: Any, url: str, viewport: dict[str, int], phone: bool = False) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=phone, has_touch=phone, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("request", lambda request: outside.append(request.url) if not re.match(r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:)", request.url) else None)
    tab.goto(url)
    tab.locator("#question textarea").wait_for()
    tab.wait_for_function("() => document.documentElement.lang === 'vi'")
    return context, tab, dialogs, outside


@pytest.fixture
def page(browser: Any, server: tuple[Any, str, Settings]) -> Iterator[Any]:
    """A fresh desktop browser session; fails the test on any dialog (alert) or request off this machine."""
    context, tab, dialogs, outside = open_page(browser, server[1], DESKTOP)
    yield tab
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert outside == [], f"the page asked other hosts: {outside}"


@pytest.fixture
def phone(browser: Any, server: tuple[Any, str, Settings]) -> Iterator[Any]:
    context, tab, dialogs, outside = open_page(browser, server[1], PHONE, phone=True)
    yield tab
    context.close()
    assert dialogs == [] and outside == []


def ask(page: Any, question: str, timeout: int = ANSWER_TIMEOUT) -> Any:
    """Type a question, wait until its answer has finished (the panel shows its number); returns
    the answer's message."""
    answers = page.locator("#chatbot .bot-row").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    return wait_for_answer(page, answers + 1, timeout)


def wait_for_answer(page: Any, number: int, timeout: int = ANSWER_TIMEOUT) -> Any:
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot .bot-row').length >= n && (document.querySelector('#answer-hint') || {}).innerText?.startsWith(`Câu trả lời số ${n}:`)",
        arg=number, timeout=timeout,
    )
    return page.locator("#chatbot .bot-row").nth(number - 1)


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings on the page as it is now."""
    assert AXE.exists(), "axe-core is missing: scripts/test.sh installs it (npm install --prefix tests/axe axe-core@4)"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"
    )
    return list(found)


def visible_in(page: Any, inner: str, outer: str) -> bool:
    """Whether the first `inner` element is inside both the window and the `outer` box's visible part."""
    return page.evaluate(
        """([inner, outer]) => {
            const a = document.querySelector(inner).getBoundingClientRect();
            const b = document.querySelector(outer).getBoundingClientRect();
            return a.height > 0 && a.top >= Math.max(0, b.top) - 1 && a.top + Math.min(a.height, 40) <= Math.min(window.innerHeight, b.bottom) + 1;
        }""",
        [inner, outer],
    )


# ----------------------------------------------------------------------------- asking and reading


def test_type_right_after_an_answer_loses_no_letter(page: Any, output_dir: Path):
    ask(page, FIRST)
    assert page.evaluate("() => document.activeElement === document.querySelector('#question textarea')")
    page.keyboard.type("Công an tỉnh phải làm gì?")  # no click: the cursor is still in the box
    assert page.locator("#question textarea").input_value() == "Công an tỉnh phải làm gì?"
    page.keyboard.press("Enter")
    second = wait_for_answer(page, 2)
    assert "Công an tỉnh" in second.inner_text()
    page.keyboard.type("Sở")
    assert page.locator("#question textarea").input_value() == "Sở"
    # an example question answers and leaves the cursor in the box too
    page.locator("#question textarea").fill("")
    page.locator(".example").nth(2).click()
    wait_for_answer(page, 3)
    page.keyboard.type("X")
    assert page.locator("#question textarea").input_value() == "X"


def test_a_new_answer_is_read_from_its_start(page: Any, output_dir: Path):
    ask(page, FIRST)
    reply = ask(page, "Công an tỉnh phải làm gì?")  # a long answer
    # the chat scrolled so the new question sits at its top, not to the answer's end
    page.wait_for_function(
        """() => { const box = window.troLy.chatScroller(); const rows = document.querySelectorAll('#chatbot .user-row');
                   const q = rows[rows.length - 1].getBoundingClientRect(); const b = box.getBoundingClientRect();
                   return box.scrollHeight > box.clientHeight && box.scrollTop > 0 && Math.abs(q.top - b.top) < 40; }""",
        timeout=5_000,
    )
    # a long document part shows its first items, the rest behind "Xem thêm"
    more = reply.locator("details.more summary")
    assert more.count() >= 1 and re.match(r"^Xem thêm \d+ ý$", more.first.inner_text())
    hidden_item = reply.locator("details.more li").first
    assert not hidden_item.is_visible()
    more.first.click()
    hidden_item.wait_for(state="visible")


def test_click_a_citation_opens_that_source_with_its_quote_in_view(page: Any, output_dir: Path, first_answer: dict[str, Any]):
    reply = ask(page, FIRST)
    assert reply.locator("a", has_text="[3]").count() == 1
    reply.locator('a[href="#nguon-3"]').click()
    page.wait_for_function("() => (document.querySelector('#source-head') || {}).innerText?.startsWith('[3] ')", timeout=10_000)
    assert page.locator("#sources-title").inner_text().strip() == "Nguồn của câu trả lời số 1"
    assert page.locator("#answer-hint").inner_text().startswith("Câu trả lời số 1: Sở Y tế phải làm gì")
    quote = page.locator("#source-text .highlighted").first
    quote.wait_for()
    assert quote.inner_text().startswith(collapse_spaces(first_answer["citations"][2]["quote"])[:40])  # quote [3]
    # the quote is in the visible part of its box and of the answer-and-sources column (which
    # scrolls on its own beside the chat), inside the window, and the window itself did not move
    page.wait_for_function(
        """() => { const q = document.querySelector('#source-text .highlighted').getBoundingClientRect();
                   const b = document.querySelector('#source-text').getBoundingClientRect();
                   const c = document.querySelector('#side-column').getBoundingClientRect();
                   return q.top >= Math.max(b.top, c.top) - 1 && q.top + 20 <= Math.min(b.bottom, c.bottom, window.innerHeight)
                          && q.left >= Math.max(0, c.left) && q.left + 20 <= Math.min(window.innerWidth, c.right)
                          && b.left >= 0 && b.right <= window.innerWidth + 1 && window.scrollY === 0; }""",
        timeout=5_000,
    )
    page.screenshot(path=str(output_dir / "desktop-chat-source.png"))
    # keyboard: Tab to [1] and Enter opens source 1
    reply.locator('a[href="#nguon-1"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => (document.querySelector('#source-head') || {}).innerText?.startsWith('[1] ')", timeout=10_000)


def test_copy_gives_clean_text_with_numbered_sources(page: Any, first_answer: dict[str, Any]):
    ask(page, FIRST)
    page.locator("#copy-answer").click()
    page.get_by_text("Đã chép câu trả lời và nguồn").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(f"Hỏi: {FIRST}\n")
    assert "\\" not in copied and "**" not in copied and "](#" not in copied
    one = first_answer["citations"][0]
    quote = collapse_spaces(one["quote"])
    assert f"Mục {one['section']} (Sở Y tế):\n- {quote[:30]}" in copied  # the section, then its bullets
    assert f"{quote[-20:]} [1]\n" in copied
    sources = copied.split("\nNguồn:\n", 1)[1].split("\n")
    assert len(sources) >= len(first_answer["citations"])
    # one short line per source (section, document), the quote only once, in the answer
    assert sources[0].startswith(f"[1] Mục {one['section']} (Sở Y tế), ") and "“" not in sources[0]
    assert copied.count(quote[:40]) == 1


def test_export_gives_a_word_file_with_the_answer_and_footnoted_sources(page: Any, tmp_path: Path, first_answer: dict[str, Any]):
    ask(page, FIRST)
    page.locator("#export-answer").click()
    link = page.locator('#answer-files a[download="tra-loi-so-1.docx"]')
    link.wait_for(timeout=20_000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "tra-loi.docx"
    download.value.save_as(path)
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert FIRST in paragraphs
    one = first_answer["citations"][0]
    quote = collapse_spaces(one["quote"])
    assert any(p.startswith(quote[:30]) for p in paragraphs)
    notes = footnote_texts(path)
    assert notes and notes[0].startswith(one["title"]) and f"Mục {one['section']} (Sở Y tế): “{quote[:20]}" in notes[0]
    assert page.locator('#answer-files a[download="tra-loi-so-1.md"]').count() == 1


def test_print_view_shows_the_whole_answer_and_its_sources(page: Any, output_dir: Path):
    ask(page, "Công an tỉnh phải làm gì?")
    page.emulate_media(media="print")
    view = page.locator("#print-view")
    assert view.is_visible() and not page.locator("#chatbot").is_visible() and not page.locator("#question").is_visible()
    text = view.inner_text()
    assert "Câu hỏi 1: Công an tỉnh phải làm gì?" in text and "Nguồn trích dẫn" in text
    answer_items = page.locator("#print-view .print-turn > ul > li").count()
    sources = page.locator("#print-view .print-sources li").count()
    assert sources >= 5 and answer_items >= 5  # every item, none folded away
    page.pdf(path=str(output_dir / "in.pdf"))
    page.emulate_media(media="screen")


# ----------------------------------------------------------------------------- conversations in the browser


def test_conversations_survive_a_reload_and_are_listed_renamed_and_deleted(page: Any, output_dir: Path):
    ask(page, FIRST)
    ask(page, "Còn Công an tỉnh thì sao?")
    page.reload()
    page.locator("#question textarea").wait_for()
    wait_for_answer(page, 2)  # both answers are back, and the panel shows the latest
    assert "Câu hỏi được hiểu là: Công an tỉnh phải làm gì" in page.locator("#chatbot .bot-row").nth(1).inner_text()
    history = page.locator("#history")
    history.get_by_text(FIRST[:30]).wait_for()
    # a follow-up after the reload still knows the previous turn
    reply = ask(page, "ở Tuyên Quang thì sao?")
    assert "Tuyên Quang" in reply.inner_text()

    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .bot-row').length === 0")
    ask(page, "Ai ký kế hoạch của Tuyên Quang?")
    labels = page.locator("#history label")
    page.wait_for_function("() => document.querySelectorAll('#history label').length === 2")
    assert labels.nth(0).inner_text().startswith("Ai ký kế hoạch") and labels.nth(1).inner_text().startswith(FIRST[:30])

    page.get_by_text("Đổi tên, xóa, xuất, in").click()
    page.locator("#rename-box textarea, #rename-box input").first.fill("Người ký — Tuyên Quang")
    page.locator("#rename").click()
    history.get_by_text("Người ký — Tuyên Quang").wait_for()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(output_dir / "desktop-history.png"))

    # reopen the first conversation
    labels.nth(1).click()
    wait_for_answer(page, 3)
    assert page.locator("#chatbot .user-row").count() == 3
    # deleting asks first; "Không xóa" keeps it
    page.locator("#delete-chat").click()
    confirm = page.locator("#delete-confirm").first
    confirm.wait_for(state="visible")
    assert "Không thể hoàn tác" in confirm.inner_text()
    page.locator("#delete-no").click()
    confirm.wait_for(state="hidden")
    assert labels.count() == 2
    page.locator("#delete-chat").click()
    page.locator("#delete-yes").click()
    page.wait_for_function("() => document.querySelectorAll('#history label').length === 1")
    assert page.locator("#chatbot .bot-row").count() == 0
    page.reload()
    page.locator("#question textarea").wait_for()
    page.wait_for_function("() => document.querySelectorAll('#history label').length === 1")
    assert "Người ký — Tuyên Quang" in page.locator("#history").inner_text()


# ----------------------------------------------------------------------------- saying what was answered


def test_a_year_without_a_plan_is_said(page: Any):
    reply = ask(page, "Kế hoạch Tháng hành động phòng, chống ma túy năm 2025 giao Công an tỉnh làm gì?")
    assert reply.inner_text().startswith("Lưu ý: Không có kế hoạch năm 2025; dưới đây là kế hoạch năm 2023.")
    assert reply.locator(LINK).count() >= 1


def test_filter_shows_as_a_chip_while_closed_and_a_conflicting_question_says_so(page: Any, output_dir: Path):
    page.get_by_text("Phạm vi tìm kiếm").click()
    page.locator("#filter-provinces").get_by_label("Tuyên Quang").check()
    page.get_by_text("Phạm vi tìm kiếm").click()  # closed again
    page.locator("#filter-provinces").get_by_label("Tuyên Quang").wait_for(state="hidden")
    chip = page.locator("#filter-chips .chip")
    chip.first.wait_for()
    assert chip.first.inner_text() == "Tỉnh: Tuyên Quang"
    reply = ask(page, "Công an tỉnh Sơn La phải làm gì?")
    text = reply.inner_text()
    assert "Lưu ý: Câu hỏi nói về Sơn La nên được trả lời theo Sơn La, không theo bộ lọc tỉnh đang chọn (Tuyên Quang)." in text
    assert "— Sơn La" in text and "— Tuyên Quang" not in text
    page.screenshot(path=str(output_dir / "filter-chip.png"))
    page.locator("#clear-filters").click()
    chip.first.wait_for(state="hidden")


def test_greeting_gets_the_help_reply(page: Any):
    reply = ask(page, "xin chào")
    text = reply.inner_text()
    assert text.startswith("Xin chào! Tôi là trợ lý tra cứu văn bản phòng, chống ma túy.")
    assert "Ví dụ câu hỏi:" in text and reply.locator(LINK).count() == 0


def test_deadline_follow_up_cites_the_deadline(page: Any):
    ask(page, FIRST)
    ask(page, "còn ở Tuyên Quang thì sao?")
    reply = ask(page, "hạn báo cáo là khi nào?")
    assert "trước ngày 04/7/2023" in reply.inner_text()
    assert "Mở đầu" not in reply.inner_text()


def test_markup_in_a_question_shows_as_text(page: Any, output_dir: Path):
    question = "<script>alert(1)</script> <img src=x onerror=alert(2)> [bấm đây](http://evil.example) **Sở Y tế** phải làm gì?"
    reply = ask(page, question)
    user = page.locator("#chatbot .user-row").last
    assert user.inner_text().strip() == question
    chat = page.locator("#chatbot")
    assert chat.locator("script").count() == 0
    assert chat.locator("img").count() == 0
    assert chat.locator("a[href*='evil']").count() == 0
    assert reply.inner_text()  # answered (the question still asks about Sở Y tế)


def test_over_long_question_is_said_and_changes_nothing(page: Any, server: tuple[Any, str, Settings], output_dir: Path):
    limit = server[2].max_question_chars
    ask(page, FIRST)
    pasted = ("Sở Y tế phải làm gì trong Tháng hành động? " * 100)[: limit + 500]
    box = page.locator("#question textarea")
    box.fill(pasted)
    box.press("Enter")
    note = page.locator("#question-note")
    note.get_by_text(f"vượt giới hạn {limit:,} ký tự").wait_for()
    page.screenshot(path=str(output_dir / "over-long.png"))
    assert box.input_value() == pasted  # kept, to be shortened
    assert page.locator("#chatbot .user-row").count() == 1 and page.locator("#chatbot .bot-row").count() == 1
    reply = ask(page, "Còn Công an tỉnh thì sao?")  # the session still has its one turn to follow up on
    assert "Câu hỏi được hiểu là: Công an tỉnh phải làm gì trong Tháng hành động" in reply.inner_text()
    assert note.inner_text().strip() == ""


def test_ratings_and_comment_are_stored(page: Any, server: tuple[Any, str, Settings]):
    _, _, settings = server
    ask(page, "Ai ký kế hoạch của Tuyên Quang?")
    page.locator("#rate-down").click()
    box = page.locator("#feedback-box")
    box.wait_for(state="visible")
    assert "chưa đúng" in box.inner_text()
    page.locator("#feedback-comment textarea").fill("x" * (settings.feedback_comment_chars + 1))
    page.get_by_role("button", name="Gửi góp ý").click()
    box.get_by_text(f"vượt giới hạn {settings.feedback_comment_chars:,} ký tự").wait_for()
    assert page.locator("#feedback-comment textarea").input_value().startswith("xxx")  # kept, to be shortened
    page.locator("#feedback-comment textarea").fill("Cần nêu cả chức vụ người ký")
    page.get_by_role("button", name="Gửi góp ý").click()
    page.get_by_text("Đã lưu góp ý").wait_for()
    records = [r for r in FeedbackStore(settings.feedback_db).all() if r.question == "Ai ký kế hoạch của Tuyên Quang?"]
    assert len(records) == 1
    assert records[0].rating == "down" and records[0].comment == "Cần nêu cả chức vụ người ký" and records[0].citations
    page.locator("#rate-up").click()  # changing one's mind updates the same record
    page.get_by_text("Cảm ơn bạn đã đánh giá câu trả lời hữu ích").wait_for()
    records = [r for r in FeedbackStore(settings.feedback_db).all() if r.question == "Ai ký kế hoạch của Tuyên Quang?"]
    assert len(records) == 1 and records[0].rating == "up"


# ----------------------------------------------------------------------------- documents and upload


def test_documents_tab_lists_and_reads_documents(page: Any, output_dir: Path):
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    cards = page.locator("#documents-cards .doc-card")
    cards.first.wait_for()
    text = page.locator("#documents-cards").inner_text()
    assert "Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023" in text and "Tuyên Quang" in text and "Số đoạn" in text
    page.screenshot(path=str(output_dir / "desktop-documents-cards.png"))
    page.get_by_label("Đọc văn bản").click()
    page.get_by_role("option", name=re.compile(r"^Kế hoạch tổ chức Tháng hành động phòng, chống ma túy năm 2023")).click()
    page.locator("#document-info").get_by_text("sonla-2023-thang-hanh-dong.txt").wait_for()
    section = page.locator("#outline").get_by_label("Mục III.4 — Sở Y tế", exact=True)
    section.wait_for()
    full = page.locator("#document-text textarea")
    assert "PHÂN CÔNG TRÁCH NHIỆM" in full.input_value()
    section.check()
    page.wait_for_function("() => document.querySelector('#document-text textarea').value.startsWith('Kế hoạch › III. PHÂN CÔNG TRÁCH NHIỆM › 4. Sở Y tế')")
    assert "Duy trì và tổ chức có hiệu quả" in full.input_value()
    page.screenshot(path=str(output_dir / "desktop-documents.png"))


def test_admin_signs_in_and_adds_a_document(page: Any, server: tuple[Any, str, Settings], output_dir: Path, tmp_path: Path):
    outside = httpx.Client(base_url=server[1])
    assert outside.get("").status_code == 200  # the page's token, as a second browser gets it (the API key is set)
    upload_route = lambda: outside.post("gradio_api/upload", files={"files": ("x.txt", b"abc")}).status_code  # noqa: E731
    assert upload_route() == 403  # gradio's own upload route is closed while no administrator is signed in
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
    assert upload_route() == 200

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
    choose_file(page, document)
    page.get_by_role("button", name="Đưa vào chỉ mục").click()
    page.locator("#upload-result").get_by_text("Đã thêm thu-nghiem-kiem-tra-2025.md").wait_for(timeout=120_000)
    assert "Đã cập nhật chỉ mục" in page.locator("#upload-result").inner_text()
    page.screenshot(path=str(output_dir / "upload.png"), full_page=True)
    # the new document is listed and answers questions
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    page.locator("#documents-cards").get_by_text("Kiểm tra thử nghiệm", exact=False).first.wait_for(timeout=10_000)
    page.get_by_role("tab", name="Hỏi đáp").click()
    reply = ask(page, "Sở Khoa học và Công nghệ phải làm gì?")
    assert "Chủ trì kiểm tra thử nghiệm hệ thống tra cứu văn bản" in reply.inner_text()
    page.get_by_role("tab", name="Thêm văn bản").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").wait_for()
    assert upload_route() == 403  # closed again with the last sign-in


def test_repeated_wrong_passwords_lock_the_sign_in_for_a_while(page: Any, output_dir: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level("INFO", logger="assistant.present.access")  # the server runs in this process
    page.get_by_role("tab", name="Thêm văn bản").click()
    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    note = page.locator("#admin-sign-in")
    for attempt in range(3):
        page.get_by_label("Mật khẩu").fill(f"doan-sai-{attempt}")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_function("() => document.querySelector('#admin-password input').value === ''")
    note.get_by_text("Đăng nhập bị tạm khóa").wait_for()
    page.screenshot(path=str(output_dir / "sign-in-locked.png"))
    page.get_by_label("Mật khẩu").fill(PASSWORD)  # even the right password waits out the lockout
    page.get_by_role("button", name="Đăng nhập").click()
    note.get_by_text("Hãy thử lại sau khoảng").wait_for()
    assert not page.locator("#upload-file").is_visible()
    page.wait_for_timeout(LOCKOUT_MINUTES * 60_000 + 500)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("#upload-file").wait_for(state="visible")
    page.get_by_role("button", name="Đăng xuất").click()
    # each failure and the lockout logged with the name and address, never a password
    assert caplog.text.count("Admin sign-in failed") >= 3 and "locked out" in caplog.text and f"name={ADMIN!r}" in caplog.text
    assert "doan-sai" not in caplog.text and PASSWORD not in caplog.text


def choose_file(page: Any, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#upload-file").click()
    chooser.value.set_files(str(path))
    page.locator("#upload-chosen").get_by_text(path.name).wait_for()


# ----------------------------------------------------------------------------- accessibility


def test_no_serious_accessibility_findings_on_chat_documents_and_upload(page: Any):
    assert axe_violations(page) == []
    ask(page, FIRST)
    page.locator('#chatbot a[href="#nguon-2"]').click()
    page.locator("#source-text .highlighted").first.wait_for()
    page.locator("#chatbot details.sources summary").first.click()
    assert axe_violations(page) == []
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    page.locator("#documents-cards .doc-card").first.wait_for()
    assert axe_violations(page) == []
    page.get_by_role("tab", name="Thêm văn bản").click()
    page.get_by_label("Tên đăng nhập").wait_for()
    assert axe_violations(page) == []


def test_every_control_has_a_vietnamese_name(page: Any):
    ask(page, FIRST)
    assert page.evaluate("() => document.documentElement.lang") == "vi"
    names = page.evaluate(
        """() => [...document.querySelectorAll('button, textarea, input:not([type=hidden]), [role=button], [role=tab]')]
            .filter(e => e.offsetParent !== null)
            .map(e => (e.getAttribute('aria-label') || e.labels?.[0]?.innerText || e.innerText || e.getAttribute('title') || '').trim())"""
    )
    english = {"Retry", "Undo", "Like", "Dislike", "Clear", "Copy", "Textbox", "Drop File Here", "Use via API", "Submit", "Stop"}
    assert not [n for n in names if n in english or n == ""], names
    assert page.get_by_role("textbox", name="Câu hỏi").count() == 1
    assert page.get_by_role("button", name="Gửi", exact=True).count() == 1
    assert "Use via API" not in page.locator("body").inner_text()


# ----------------------------------------------------------------------------- phone


def test_phone_sources_open_as_an_overlay_next_to_the_answer(phone: Any, output_dir: Path):
    assert phone.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#question textarea')).fontSize)") >= 16
    reply = ask(phone, "Công an tỉnh phải làm gì?")
    assert not phone.locator("#source-text").is_visible()  # no panel 550 px below the input
    small = phone.evaluate(
        """() => [...document.querySelectorAll('button, #chatbot a[href^="#nguon-"]')]
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => (e.innerText || e.getAttribute('aria-label') || e.id).trim().slice(0, 30))"""
    )
    assert small == [], f"touch targets under 44 px: {small}"
    reply.locator('a[href="#nguon-2"]').click()
    phone.wait_for_function("() => (document.querySelector('#source-head') || {}).innerText?.startsWith('[2] ')", timeout=10_000)
    overlay = phone.locator("#source-text")
    overlay.wait_for(state="visible")
    box = phone.locator("#sources-panel").first.bounding_box()
    assert box["y"] > 0 and box["y"] + box["height"] <= PHONE["height"] + 1  # on screen, over the chat
    phone.wait_for_function(
        "() => { const q = document.querySelector('#source-text .highlighted').getBoundingClientRect(); return q.top >= 0 && q.top + 20 <= window.innerHeight; }",
        timeout=5_000,
    )
    phone.screenshot(path=str(output_dir / "phone-chat-source.png"))
    phone.keyboard.press("Escape")
    overlay.wait_for(state="hidden")


def test_phone_documents_are_cards_without_one_letter_lines(phone: Any, output_dir: Path):
    phone.get_by_role("tab", name="Văn bản", exact=True).click()
    phone.locator("#documents-cards .doc-card").first.wait_for()
    squeezed = phone.evaluate(
        """() => [...document.querySelectorAll('#documents-cards h3, #documents-cards dt, #documents-cards dd')].filter(e => {
                const text = e.innerText.trim();
                const range = document.createRange(); range.selectNodeContents(e);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
                return text.length >= 6 && lines > Math.max(2, text.length / 8);
            }).map(e => e.innerText.trim().slice(0, 40))"""
    )
    assert squeezed == [], squeezed
    assert phone.evaluate("() => document.querySelector('#documents-cards').scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(output_dir / "phone-documents.png"), full_page=True)


def test_phone_history_list(phone: Any, output_dir: Path):
    ask(phone, FIRST)
    phone.locator("#history-menu").click()  # saved conversations sit behind the menu at the top
    phone.locator("#new-chat").click()
    phone.wait_for_function("() => document.querySelectorAll('#chatbot .bot-row').length === 0")
    ask(phone, "Ai ký kế hoạch của Tuyên Quang?")
    phone.wait_for_function("() => document.querySelectorAll('#history label').length === 2")
    phone.locator("#history-menu").click()  # the menu closed when the new conversation started
    phone.locator("#history").wait_for(state="visible")
    assert phone.locator("#history label").nth(1).is_visible()
    phone.screenshot(path=str(output_dir / "phone-history.png"))


# ----------------------------------------------------------------------------- a busy server


BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút."


@pytest.fixture
def busy_server(built_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """One worker and room for one waiting question, kept full by three programs asking in a loop."""
    settings = built_settings.model_copy(update={"data_dir": tmp_path / "data", "concurrency": 1, "queue_size": 1})
    with serve(settings) as (_, url, _):
        stop = threading.Event()

        def keep_asking() -> None:
            session = Client(url, verbose=False)
            while not stop.is_set():
                try:
                    session.predict("Công an tỉnh phải làm gì?", api_name="/chat")
                except Exception:  # noqa: BLE001 - refused while the queue is full: ask again
                    pass

        askers = [threading.Thread(target=keep_asking, daemon=True) for _ in range(3)]
        for asker in askers:
            asker.start()
        try:
            yield url
        finally:
            stop.set()
            for asker in askers:
                asker.join(timeout=60)


def test_a_full_queue_is_said_in_vietnamese(browser: Any, busy_server: str, output_dir: Path):
    context, page, _, _ = open_page(browser, busy_server, DESKTOP)
    toast = page.locator("[data-testid=toast-body]")
    for _ in range(20):  # now and then a question finds the one free place
        page.locator("#question textarea").fill("Sở Y tế phải làm gì?")
        page.locator("#question textarea").press("Enter")
        try:
            toast.first.get_by_text(BUSY).wait_for(timeout=3_000)
            break
        except sync_api.TimeoutError:
            continue
    text = toast.first.inner_text()
    page.wait_for_function("() => !/\\bError\\b/.test(document.body.innerText)")  # the chat's mark too
    page.screenshot(path=str(output_dir / "busy.png"))
    context.close()
    assert BUSY in text and "busy" not in text and "Lỗi" in text
    for _ in range(20):  # programs calling the REST API read it too
        response = httpx.post(busy_server + "gradio_api/call/chat", json={"data": ["Sở Y tế phải làm gì?", [], [], []]})
        if response.status_code == 503:
            assert response.json() == {"detail": BUSY}
            break
    else:
        pytest.fail("the REST API was never refused while the queue was full")


# ----------------------------------------------------------------------------- an idle session

IDLE_MINUTES = 0.05  # three seconds


def test_an_idle_session_is_forgotten_by_the_server_not_by_the_browser(browser: Any, built_settings: Settings, tmp_path: Path):
    """After `session_idle_minutes` without a new answer the server forgets the session: a
    program's follow-up starts afresh, while the page, which keeps the conversation in the
    browser, carries on from its own copy."""
    settings = built_settings.model_copy(update={"data_dir": tmp_path / "data", "session_idle_minutes": IDLE_MINUTES})
    with serve(settings) as (demo, url, _):
        program = Client(url, verbose=False)
        program.predict(FIRST, api_name="/chat")
        context, page, _, _ = open_page(browser, url, DESKTOP)
        ask(page, FIRST)
        page.wait_for_timeout(IDLE_MINUTES * 60_000 + 2_500)  # idle; gradio drops expired state every second
        # the server's whole record of the session is gone, not only its turns (gradio kept ~200 kB per session)
        assert program.session_hash not in demo.state_holder.session_data
        messages, _ = program.predict("Còn Công an tỉnh thì sao?", api_name="/chat")
        assert "Câu hỏi được hiểu là" not in str(messages)
        reply = ask(page, "Còn Công an tỉnh thì sao?")
        assert "Câu hỏi được hiểu là: Công an tỉnh phải làm gì trong Tháng hành động" in reply.inner_text()
        page.locator("#chatbot .bot-row").first.locator('a[href="#nguon-1"]').click()  # the first answer's sources again
        # the second answer's own source [1] is on screen already: wait for the title to name the first
        page.wait_for_function("() => (document.querySelector('#sources-title') || {}).innerText?.trim() === 'Nguồn của câu trả lời số 1'", timeout=10_000)
        page.wait_for_function("() => (document.querySelector('#source-head') || {}).innerText?.startsWith('[1] ')", timeout=10_000)
        context.close()
