"""Issue 17, the web chat in daily use, in real Chromium against a real server (desktop 1366×768
and phone 390×844): a page that stays put, no letter lost, the phone's layout, follow-ups,
suggested questions, ratings, copying and the documents tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from tests.test_app_browser import DESKTOP, PHONE, ask, browser, open_page, page, phone, server, wait_for_answer  # noqa: F401
from tests.test_app_client import FIRST

TYPED = "Tiếp theo"


def window_y(tab: Any) -> int:
    return int(tab.evaluate("() => Math.round(window.scrollY)"))


def test_the_window_does_not_jump_after_answers_citations_and_reload(page: Any, output_dir: Path):
    for number, question in enumerate(["Sở Y tế phải làm gì?", "Hạn báo cáo là khi nào?"], 1):
        ask(page, question)
        page.wait_for_timeout(400)  # the panel and the quote settle
        assert window_y(page) == 0, f"answer {number} moved the window"
    page.locator('#chatbot a[href^="#nguon-"]').last.click()
    page.wait_for_function("() => document.querySelector('#source-text .highlighted')")
    page.wait_for_timeout(400)
    assert window_y(page) == 0, "a [n] click moved the window"
    page.reload()
    page.locator("#question textarea").wait_for()
    page.wait_for_function("() => document.querySelectorAll('#chatbot .user-row').length === 2")
    page.wait_for_timeout(800)
    assert window_y(page) == 0, "the reload opened mid-page"
    page.screenshot(path=str(output_dir / "desktop-after-reload.png"))


@pytest.mark.parametrize("how", ["enter", "click"])
def test_keys_typed_right_after_sending_are_kept_for_the_next_question(page: Any, how: str):
    """No delay between sending and typing, several runs: the question sent is exactly what was
    in the box, and every key typed after it is in the box."""
    box = page.locator("#question textarea")
    for run in range(1, 4):
        question = f"Ai ký kế hoạch số {run}?"
        box.click()
        box.fill(question)
        if how == "enter":
            box.press("Enter")
        else:
            page.locator("#send").click()
        page.keyboard.type(TYPED, delay=0)
        assert page.evaluate("() => document.activeElement === document.querySelector('#question textarea')")
        wait_for_answer(page, run)
        assert page.locator("#chatbot .user-row").nth(run - 1).inner_text().strip() == question
        assert box.input_value() == TYPED
        box.fill("")


def test_phone_opens_at_the_top_with_the_chat_first_and_the_menu(phone: Any, output_dir: Path):
    ask(phone, "Sở Y tế phải làm gì?")
    phone.reload()
    phone.locator("#question textarea").wait_for()
    phone.wait_for_function("() => document.querySelectorAll('#chatbot .user-row').length === 1")
    phone.wait_for_timeout(800)
    assert window_y(phone) == 0
    top = lambda selector: phone.evaluate(f"() => document.querySelector('{selector}').getBoundingClientRect().top")  # noqa: E731
    assert top("#history-menu") < top("#chatbot") < 844, "the chat is not on the first screen"
    assert not phone.locator("#history").is_visible() and not phone.locator("#new-chat").is_visible()
    # the answer's tools are one row
    tops = phone.evaluate("() => [...document.querySelectorAll('#answer-tools button')].filter(b => b.offsetParent).map(b => Math.round(b.getBoundingClientRect().top))")
    assert len(tops) == 5 and len(set(tops)) == 1, tops
    assert not phone.locator("#chatbot .scroll-down-button-container").is_visible()
    phone.screenshot(path=str(output_dir / "phone-top.png"))
    phone.locator("#history-menu").click()
    phone.locator("#new-chat").wait_for(state="visible")
    assert top("#new-chat") < top("#chatbot")
    phone.locator("#new-chat").click()
    phone.wait_for_function("() => !document.body.classList.contains('history-open')")


def test_follow_up_scenario_in_the_page(page: Any):
    ask(page, "Sở Y tế phải làm gì?")
    ask(page, "Hạn báo cáo là khi nào?")
    there = ask(page, "còn Tuyên Quang thì sao?")
    text = there.inner_text()
    assert "Không tìm thấy" not in text and "Tuyên Quang" in text
    assert "04/7/2023" in text


def test_suggestions_are_answered_and_open_as_questions(page: Any):
    ask(page, "Sở Y tế phải làm gì?")
    page.locator("#suggestions .suggestion").first.wait_for(state="visible", timeout=60_000)
    shown = [b.inner_text() for b in page.locator("#suggestions .suggestion").all() if b.is_visible()]
    assert 1 <= len(shown) <= 3
    page.locator("#suggestions .suggestion").first.click()
    reply = wait_for_answer(page, 2)
    assert page.locator("#chatbot .user-row").nth(1).inner_text().strip() == shown[0]
    assert "Không tìm thấy" not in reply.inner_text() and reply.locator('a[href^="#nguon-"]').count() > 0


def test_rating_is_one_choice_shown_and_changeable(page: Any):
    ask(page, FIRST)
    page.locator("#rate-up").click()
    page.wait_for_function("() => document.querySelector('#rate-up').innerText.includes('✓')")
    assert "✓" not in page.locator("#rate-down").inner_text()
    page.locator("#rate-down").click()
    page.wait_for_function("() => document.querySelector('#rate-down').innerText.includes('✓')")
    assert "✓" not in page.locator("#rate-up").inner_text()


def test_copy_gives_the_answer_once_with_a_short_source_list(page: Any, server: Any):
    ask(page, "Sở Y tế phải làm gì?")
    copied = page.locator("#copy-text textarea").input_value()
    quotes = copied.split("Nguồn:")[0]
    sources = copied.split("Nguồn:")[1]
    assert "“" not in sources, "a quote is copied twice"
    assert len(copied) < len(quotes) + 120 * sources.count("[") + 1
    # the API gives the same text, the understood question and the suggestions
    client = Client(server[1], verbose=False, headers={"X-API-Key": "khoa-api-thu"})
    client.predict("Sở Y tế phải làm gì?", [], [], [], api_name="/chat")
    client.predict("Hạn báo cáo là khi nào?", [], [], [], api_name="/chat")
    latest = client.predict(api_name="/latest")
    assert "Sở Y tế" in latest["understood_as"] and "Nguồn:" in latest["copy_text"]
    assert isinstance(latest["suggestions"], list)


def test_documents_tab_shows_the_model_and_cards_open_their_document(page: Any, server: Any):
    page.get_by_role("tab", name="Văn bản", exact=True).click()
    first = page.locator(".doc-open").nth(2)
    first.wait_for()
    title = first.inner_text()
    cards = page.locator(".doc-card").all_inner_texts()
    assert all("Loại" in c and "Hiệu lực" in c for c in cards)
    assert not any("Ngày ban hành\nnăm" in c for c in cards)
    first.click()
    page.wait_for_function("t => (document.querySelector('#document-info') || {}).innerText?.includes(t)", arg=title)
    # the first screen says what is loaded
    page.get_by_role("tab", name="Hỏi đáp", exact=True).click()
    assert "Đang tra cứu" in page.locator("#chatbot").inner_text()


def test_numbered_clauses_show_without_a_bullet(page: Any):
    reply = ask(page, "Mục đích của kế hoạch Tháng hành động phòng, chống ma túy năm 2023 của Sơn La là gì?")
    starts = r"/^\s*(?:\d+(?:\.\d+)*|[a-zđ])[.)]\s/"
    count = "(row, tag) => [...row.querySelectorAll(tag)].filter(e => %s.test(e.innerText)).length" % starts
    bulleted, shown = reply.evaluate(count, "li"), reply.evaluate(count, "p")
    assert bulleted == 0 and shown > 0, (bulleted, shown)


# Every name a screen reader reads (attributes and SVG titles, hidden parts included) that is
# English: ASCII letters only, a word of three letters or more.
ENGLISH_NAMES = """() => { const out = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of ['aria-label', 'title', 'alt', 'placeholder', 'aria-roledescription', 'aria-valuetext', 'aria-description']) {
      const v = e.getAttribute(a); if (v) out.push(`${e.tagName} ${a}=${v}`); }
    if (e.tagName.toLowerCase() === 'title' && e.closest('svg')) out.push(`svg title=${e.textContent}`); }
  return out.filter(n => /=[A-Za-z][A-Za-z .,'’!?-]*$/.test(n.trim()) && /=.*[A-Za-z]{3}/.test(n)); }"""
# The contrast of an element's text on the first background behind it that is not transparent.
CONTRAST = """e => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let back = e, bg = [255, 255, 255];
  while (back) { const c = rgb(getComputedStyle(back).backgroundColor); if (c.length < 4 || c[3] > 0) { bg = c.slice(0, 3); break; } back = back.parentElement; }
  const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05); }"""


def where_focus(tab: Any) -> str:
    return tab.evaluate("() => document.activeElement.closest('#question') ? 'question' : document.activeElement.outerHTML.slice(0, 80)")


def test_screen_reader_names_are_vietnamese_the_active_tab_is_legible_and_tab_goes_to_the_question(page: Any, phone: Any):
    reply = ask(page, FIRST)
    assert where_focus(page) == "question"
    # the chat scrolled up, so gradio shows its own buttons (scroll down…)
    page.locator("#chatbot").evaluate("c => { for (const e of c.querySelectorAll('*')) if (e.scrollHeight > e.clientHeight + 5) e.scrollTop = 0; }")
    page.wait_for_timeout(300)
    assert page.evaluate(ENGLISH_NAMES) == []
    # from anywhere in the answer, Tab passes no [n]: the sources line and the suggestions, then the box
    reply.locator('a[href^="#nguon-"]').first.click()
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(where_focus(page))
        if stops[-1] == "question":
            break
    assert stops[-1] == "question" and len(stops) <= 5, stops
    assert not any("nguon-" in stop for stop in stops), stops
    for name in ("Hỏi đáp", "Văn bản", "Thêm văn bản"):
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.click()
        page.wait_for_timeout(300)
        assert tab.get_attribute("aria-selected") == "true"
        assert tab.evaluate(CONTRAST) >= 4.5, f"the chosen tab “{name}” is hard to read"
        assert page.evaluate(ENGLISH_NAMES) == []
    ask(phone, FIRST)
    phone.locator('#chatbot a[href^="#nguon-"]').first.click()
    phone.wait_for_timeout(300)
    assert phone.evaluate(ENGLISH_NAMES) == []
