"""Follow-up questions, session filters and what the chat shows, on the real index of the bundled corpus."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.present import export
from assistant.present import views as present
from assistant.present.chat import Conversation, Filters, LastTurn, answer, find_phrase, last_context, prepare, rejected
from assistant.present.smalltalk import EXAMPLES, small_talk
from assistant.answering.engine import QuestionRejected
from assistant.query.understand import AGENCY, DEADLINE, TIME, understand
from assistant.text import collapse_spaces, fold

SONLA_MONTH = "sonla-2023-thang-hanh-dong.txt"
TUYENQUANG = "tuyenquang-2023-thang-hanh-dong.md"
FIRST = "Sở Y tế phải làm gì trong Tháng hành động phòng, chống ma túy năm 2023?"


@pytest.fixture(scope="module")
def library(assistant):
    return assistant.library


@pytest.fixture(scope="module")
def engine(assistant):
    return assistant.engine


def after(library, text: str, cited: list[str] = ()) -> Conversation:
    conversation = Conversation(library)
    conversation.remember(text, cited)
    return conversation


# ----------------------------------------------------------------------------- Conversation


def test_first_message_is_never_rewritten(library):
    assert Conversation(library).rewrite("Còn Công an tỉnh thì sao?") is None


def test_other_agency_keeps_the_question(library):
    rewritten = after(library, FIRST).rewrite("Còn Công an tỉnh thì sao?")
    assert rewritten == "Công an tỉnh phải làm gì trong Tháng hành động phòng, chống ma túy năm 2023?"
    question = understand(rewritten, library)
    assert [a.key for a in question.agencies] == ["cong an tinh"]
    assert AGENCY in question.intents


def test_other_province_keeps_agency_and_intent(library):
    rewritten = after(library, FIRST).rewrite("ở Tuyên Quang thì sao?")
    assert rewritten is not None
    assert "Sở Y tế" in rewritten and "Tuyên Quang" in rewritten and "phải làm gì" in rewritten
    question = understand(rewritten, library)
    assert question.provinces == ["Tuyên Quang"]
    assert question.sources == [TUYENQUANG]


def test_new_intent_carries_the_agency(library):
    rewritten = after(library, "Sở Y tế phải làm gì?").rewrite("hạn báo cáo là khi nào?")
    assert rewritten == "Hạn báo cáo của Sở Y tế là khi nào?"
    question = understand(rewritten, library)
    assert DEADLINE in question.intents and [a.key for a in question.agencies] == ["so y te"]


def test_document_of_the_answer_is_carried_and_shown(library):
    conversation = after(library, "Sở Y tế phải làm gì?", cited=[TUYENQUANG, TUYENQUANG])
    follow = conversation.follow_up("hạn báo cáo là khi nào?")
    assert follow is not None and follow.document == TUYENQUANG
    assert follow.text.startswith("Hạn báo cáo của Sở Y tế là khi nào?")
    assert "(theo kế hoạch triển khai hưởng ứng" in follow.text and follow.text.endswith("— Tuyên Quang)")
    assert understand(follow.text, library).sources == [TUYENQUANG]


def test_document_questions_carry_the_document_not_the_agency(library):
    follow = after(library, "Công an tỉnh phải làm gì?", cited=[TUYENQUANG]).follow_up("Ai ký văn bản này?")
    assert follow is not None and follow.document == TUYENQUANG
    assert follow.text.startswith("Ai ký văn bản này? (theo") and "Công an" not in follow.text
    assert understand(follow.text, library).sources == [TUYENQUANG]


def test_moving_to_another_province_drops_the_document(library):
    conversation = after(library, "Công an tỉnh phải làm gì?", cited=[SONLA_MONTH])
    follow = conversation.follow_up("ở Tuyên Quang thì sao?")
    assert follow is not None and follow.document is None
    assert follow.text == "Công an tỉnh phải làm gì ở tỉnh Tuyên Quang?"


def test_other_year_replaces_the_year(library):
    assert after(library, FIRST).rewrite("năm 2024 thì sao?") == FIRST.replace("2023", "2024")


def test_opener_with_own_question_keeps_context(library):
    conversation = after(library, "Công an tỉnh phải làm gì?", cited=[SONLA_MONTH])
    follow = conversation.follow_up("Còn Sở Tài chính phải làm gì?")
    assert follow is not None and follow.text.startswith("Sở Tài chính phải làm gì?") and follow.document == SONLA_MONTH


@pytest.mark.parametrize(
    "standalone",
    [
        "Ngày toàn dân phòng, chống ma túy là ngày nào?",
        "Công an tỉnh có nhiệm vụ gì?",
        "Mục tiêu xây dựng tỉnh Sơn La không ma túy vào năm nào?",
        "Kinh phí thực hiện kế hoạch lấy từ đâu?",
        "Tuyên Quang tổ chức lễ mít tinh hưởng ứng vào thời gian nào?",
        "Có bao nhiêu xã biên giới phải chuyển hóa địa bàn trọng điểm?",
    ],
)
def test_standalone_questions_are_left_alone(library, standalone):
    assert after(library, FIRST).rewrite(standalone) is None


def test_clear_forgets(library):
    conversation = after(library, FIRST)
    conversation.clear()
    assert conversation.rewrite("Còn Công an tỉnh thì sao?") is None


def test_find_phrase_is_accent_insensitive_and_knows_ubnd():
    text = "Hạn báo cáo của UBND các huyện là khi nào?"
    start, end = find_phrase(text, "uy ban nhan dan cac huyen")
    assert text[start:end] == "UBND các huyện"
    start, end = find_phrase("cong an tinh lam gi", "cong an tinh")
    assert (start, end) == (0, 12)
    assert find_phrase("Sở Y tế", "cong an tinh") is None


# ----------------------------------------------------------------------------- filters and turns


def test_filters_restrict_sources(library):
    assert Filters().sources(library) is None
    assert Filters(provinces=["Tuyên Quang"]).sources(library) == [TUYENQUANG]
    assert Filters(years=["2024"]).sources(library) == ["sonla-vp-ubnd-2024-ke-hoach.txt"]
    assert Filters(documents=[SONLA_MONTH], provinces=["Tuyên Quang"]).sources(library) == []


def test_turns_answer_follow_ups_from_the_previous_turn(engine):
    filters = Filters()
    first = answer(engine, prepare(engine, FIRST, None, filters), filters)
    assert not first.abstained and first.citations and first.understood_as is None
    second_prepared = prepare(engine, "Còn Công an tỉnh thì sao?", last_context([first.as_dict()]), filters)
    assert second_prepared.understood_as and "Công an tỉnh" in second_prepared.understood_as
    second = answer(engine, second_prepared, filters)
    assert second.understood_as == second_prepared.understood_as
    assert any("Công an tỉnh" in c["heading_path"] for c in second.citations)
    assert all("Sở Y tế" not in c["heading_path"] for c in second.citations)


def test_a_chain_of_follow_ups_does_not_pile_up_document_notes(engine):
    filters = Filters()
    turn = answer(engine, prepare(engine, "Sở Y tế Sơn La phải làm gì?", None, filters), filters)
    for message in ("Còn Công an tỉnh thì sao?", "Còn Sở Tư pháp thì sao?"):
        prepared = prepare(engine, message, last_context([turn.as_dict()]), filters)
        assert prepared.asked.count("(theo ") <= 1, prepared.asked
        turn = answer(engine, prepared, filters)
    # Moving to another province leaves Sơn La's plan behind.
    moved = prepare(engine, "ở Tuyên Quang thì sao?", last_context([turn.as_dict()]), filters)
    assert "Sơn La" not in moved.asked, moved.asked
    assert {c["province"] for c in answer(engine, moved, filters).citations} == {"Tuyên Quang"}


def test_filter_scope_reaches_the_engine(engine):
    filters = Filters(provinces=["Tuyên Quang"])
    turn = answer(engine, prepare(engine, "Công an tỉnh phải làm gì?", None, filters), filters)
    assert turn.citations and {c["province"] for c in turn.citations} == {"Tuyên Quang"}
    assert turn.filters == {"documents": [], "provinces": ["Tuyên Quang"], "years": []}


def test_rejections(engine):
    with pytest.raises(QuestionRejected):
        prepare(engine, "   ", None, Filters())
    with pytest.raises(QuestionRejected, match="bộ lọc"):
        prepare(engine, FIRST, None, Filters(documents=[SONLA_MONTH], provinces=["Tuyên Quang"]))
    turn = rejected("  ", "Câu hỏi trống.", Filters())
    assert last_context([turn.as_dict()]) is None


def test_last_context_skips_rejected_turns():
    answered = {"context": {"text": FIRST, "document": None}}
    assert last_context([answered, {"context": None}]) == LastTurn(FIRST, None)


# ----------------------------------------------------------------------------- what the chat shows


@given(st.text())
def test_escape_round_trips(text):
    assert present.unescape_markdown(present.escape_markdown(text)) == text


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "[bấm](http://x.vn)", "**đậm** _nghiêng_", "1. mục", "$x$", "www.vi.vn"])
def test_escaped_text_has_no_markup_left(text):
    escaped = present.escape_markdown(text)
    # every character Markdown or HTML would act on is preceded by a backslash
    assert not re.search(r"(?<!\\)[<>\[\]()*_$`]", escaped)
    assert "http:" not in escaped and "www." not in escaped


def test_answer_lines_keep_structure_and_escape_text():
    text = "**Kế hoạch <b>X</b> — Sơn La**\nMục III.4 (Sở Y tế):\n- Làm [việc](http://a.b) <script>; [1]\n\nGhi chú [2] và [9]."
    lines = present.answer_lines(text, {1, 2})
    assert lines[0] == r"**Kế hoạch \<b\>X\</b\> — Sơn La**"
    assert lines[2].startswith("- Làm \\[việc\\]\\(http\\:") and lines[2].endswith(present.citation_link(1))
    assert present.citation_link(2) in lines[4] and r"\[9\]" in lines[4] and "#nguon-9" not in lines[4]


def test_stream_answer_grows_line_by_line():
    pieces = list(present.stream_answer("**A**\n- b [1]\n- c [1]", [{"n": 1}], understood_as="Sở Y tế <làm> gì?"))
    assert pieces[0].startswith("*Câu hỏi được hiểu là:* Sở Y tế \\<làm\\> gì?")
    assert len(pieces) == 4 and all(later.startswith(earlier) for earlier, later in zip(pieces, pieces[1:]))


def test_sources_show_document_province_section_and_quote():
    citation = {"n": 3, "source": "a.txt", "title": "Kế hoạch A", "province": "Sơn La", "section": "III.4",
                "heading_path": "Kế hoạch › III. PHÂN CÔNG › 4. Sở Y tế", "quote": "Tổ chức *tuyên truyền*."}
    block = present.sources_markdown([citation])
    assert r"**\[3\]** Kế hoạch A — Sơn La · *Mục III\.4 \(Sở Y tế\)*" in block
    assert r"“Tổ chức \*tuyên truyền\*\.”" in block
    assert present.source_choice(citation) == "[3] Mục III.4 (Sở Y tế) · Kế hoạch A — Sơn La"


def test_highlight_finds_quote_despite_bullets_and_spacing():
    section = "4. Sở Y tế\n- Duy trì   các cơ sở\nđiều trị.\n- Tổ chức tuyên truyền."
    spans = present.highlight_quote(section, "Duy trì các cơ sở điều trị.")
    assert "".join(text for text, _ in spans) == section
    marked = [text for text, label in spans if label]
    assert marked == ["Duy trì   các cơ sở\nđiều trị."]
    clipped = present.highlight_quote(section, "Duy trì các … tuyên truyền.")
    assert [t for t, label in clipped if label] == ["Duy trì   các", "tuyên truyền."]
    assert present.highlight_quote(section, "không có trong mục") == [(section, None)]


def test_every_citation_of_a_real_answer_is_found_in_its_section(assistant):
    response = assistant.engine.ask("Công an tỉnh phải làm gì?")
    citations = response.metadata["citations"]
    assert citations
    for citation in citations:
        _, spans = present.source_view(assistant.library, citation)
        marked = " ".join(text for text, label in spans if label)
        assert fold(re.sub(r"\s+", " ", marked))[:40] in fold(re.sub(r"\s+", " ", citation["quote"])), citation["n"]


def test_document_views(library):
    rows = present.document_rows(library)
    assert len(rows) == len(library.documents) and all(len(r) == len(present.DOCUMENT_COLUMNS) for r in rows)
    outline = present.outline_rows(library.sections_of(SONLA_MONTH))
    assert ["Mục III.4", "Sở Y tế"] in outline
    assert "Năm:** 2023" in present.document_markdown(library.documents[SONLA_MONTH])


# ----------------------------------------------------------------------------- saying what was answered


def ask_chain(engine, messages: list[str], filters: Filters = Filters()):
    turns: list[dict] = []
    for message in messages:
        last = last_context(turns)
        turns.append(answer(engine, prepare(engine, message, last, filters), filters, last).as_dict())
    return turns


@pytest.mark.parametrize("text,kind", [
    ("xin chào", "greeting"), ("Xin chào!", "greeting"), ("chào bạn nhé", "greeting"), ("cảm ơn bạn nhiều", "thanks"),
    ("ok cam on a", "thanks"), ("bạn là ai?", "about"), ("Bạn làm được gì?", "about"), ("hướng dẫn sử dụng", "about"),
])
def test_small_talk_is_recognised(text, kind):
    assert small_talk(text) == kind


@pytest.mark.parametrize("text", [
    "xin chào, Sở Y tế phải làm gì?", "hướng dẫn cai nghiện là gì?", "Công an tỉnh phải làm gì?", "Hạn báo cáo là khi nào?",
    "Ai ký kế hoạch của Tuyên Quang?",
])
def test_questions_are_not_small_talk(text):
    assert small_talk(text) is None


def test_greeting_gets_the_help_reply_and_keeps_the_conversation(engine):
    first, hello, follow = ask_chain(engine, [FIRST, "xin chào", "Còn Công an tỉnh thì sao?"])
    assert hello["kind"] == "help" and hello["citations"] == []
    assert hello["answer"].startswith("Xin chào!") and present.EXAMPLES[0] in hello["answer"]
    assert "Công an tỉnh" in (follow["understood_as"] or "") and follow["citations"]


def test_a_year_no_document_has_is_answered_from_the_one_there_is_and_said(engine):
    (turn,) = ask_chain(engine, ["Kế hoạch Tháng hành động phòng, chống ma túy năm 2025 giao Công an tỉnh làm gì?"])
    assert turn["citations"] and not turn["abstained"]
    assert turn["notices"] == ["Không có kế hoạch năm 2025; dưới đây là kế hoạch năm 2023."]
    assert all("Công an tỉnh" in c["heading_path"] for c in turn["citations"][:3])


def test_a_question_that_conflicts_with_a_filter_is_answered_for_the_question(engine):
    (turn,) = ask_chain(engine, ["Công an tỉnh Sơn La phải làm gì?"], Filters(provinces=["Tuyên Quang"]))
    assert turn["citations"] and {c["province"] for c in turn["citations"]} == {"Sơn La"}
    assert turn["notices"] and "Sơn La" in turn["notices"][0] and "bộ lọc tỉnh đang chọn (Tuyên Quang)" in turn["notices"][0]


def test_no_notice_when_the_answer_is_what_was_asked(engine):
    (turn,) = ask_chain(engine, [FIRST])
    assert turn["notices"] == []


def test_deadline_follow_up_keeps_document_and_province_and_takes_the_new_intent(engine):
    *_, deadline = ask_chain(engine, [FIRST, "còn ở Tuyên Quang thì sao?", "hạn báo cáo là khi nào?"])
    assert {c["source"] for c in deadline["citations"]} == {TUYENQUANG}
    assert any("04/7/2023" in c["quote"] for c in deadline["citations"]), deadline["citations"]
    assert "(theo " in deadline["understood_as"] and "(theo " not in deadline["asked"]


# ----------------------------------------------------------------------------- long answers, links, export

REAL_TURN = {
    "question": "Sở Y tế phải làm gì?", "understood_as": None, "notices": ["Không có kế hoạch năm 2025; dưới đây là kế hoạch năm 2023."],
    "answer": "**Kế hoạch A — Sơn La**\nMục III.4 (Sở Y tế):\n- Duy trì *các* cơ sở (Methadone). [1]\n- Tổ chức tuyên truyền [2] và [9].",
    "citations": [
        {"n": 1, "source": "a.txt", "title": "Kế hoạch A", "province": "Sơn La", "section": "III.4",
         "heading_path": "Kế hoạch › III. PHÂN CÔNG › 4. Sở Y tế", "quote": "Duy trì *các* cơ sở (Methadone)."},
        {"n": 2, "source": "a.txt", "title": "Kế hoạch A", "province": "Sơn La", "section": "III.4",
         "heading_path": "Kế hoạch › III. PHÂN CÔNG › 4. Sở Y tế", "quote": "Tổ chức tuyên truyền"},
    ],
}


def test_citation_marks_are_links_to_their_source():
    lines = present.answer_lines("Làm việc [1] và [9].", {1})
    assert lines == ['Làm việc [\\[1\\]](#nguon-1 "Mở nguồn 1") và \\[9\\]\\.']


def test_long_document_parts_fold_after_the_first_items():
    answer_text = "**A**\nMục 1:\n" + "\n".join(f"- việc {i} [{i}]" for i in range(1, 8)) + "\n\n**B**\nMục 2:\n- khác [8]"
    final = list(present.stream_answer(answer_text, [{"n": i} for i in range(1, 9)]))[-1]
    shown, folded = final.split("<details", 1)
    assert shown.count("- việc") == present.FIRST_ITEMS and "Xem thêm 4 ý" in folded
    assert "**B**" in folded.split("</details>", 1)[1]  # the next document starts open
    short = list(present.stream_answer("**A**\n- a [1]\n- b [2]", [{"n": 1}, {"n": 2}]))[-1]
    assert "<details" not in short


def test_chat_messages_fold_sources_into_the_answer():
    messages = present.chat_messages(present.answer_messages("Trả lời [1]", REAL_TURN["citations"]))
    assert len(messages) == 1
    assert '<details class="sources"><summary>Nguồn trích dẫn: 2 đoạn trong 1 văn bản</summary>' in messages[0]["content"]


def test_plain_text_copy_has_no_markdown():
    text = export.plain_text(REAL_TURN)
    assert "\\" not in text and "**" not in text
    assert text.startswith("Câu hỏi: Sở Y tế phải làm gì?\nLưu ý: Không có kế hoạch năm 2025")
    assert "Kế hoạch A — Sơn La\nMục III.4 (Sở Y tế):\n- Duy trì *các* cơ sở (Methadone). [1]" in text
    assert "Nguồn:\n[1] Kế hoạch A — Sơn La, Mục III.4 (Sở Y tế): “Duy trì *các* cơ sở (Methadone).”\n[2] " in text


def test_markdown_export_has_footnotes():
    text = export.markdown_file([REAL_TURN], "Câu trả lời số 1")
    assert "- Duy trì \\*các\\* cơ sở (Methadone). [^n-1]" in text and "[9]" in text
    assert "[^n-1]: Kế hoạch A — Sơn La, Mục III.4 (Sở Y tế): “Duy trì \\*các\\* cơ sở (Methadone).”" in text
    both = export.markdown_file([REAL_TURN, REAL_TURN], "Cuộc trò chuyện")
    assert "[^1-1]:" in both and "[^2-1]:" in both and "## Câu hỏi 2:" in both


def test_docx_export_reads_back_with_footnotes(tmp_path):
    from docx import Document

    path = export.docx_file([REAL_TURN], "Câu trả lời số 1", tmp_path / "a.docx")
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert "Sở Y tế phải làm gì?" in paragraphs and "Duy trì *các* cơ sở (Methadone)." in paragraphs
    assert export.footnote_texts(path) == [
        "Kế hoạch A — Sơn La, Mục III.4 (Sở Y tế): “Duy trì *các* cơ sở (Methadone).”",
        "Kế hoạch A — Sơn La, Mục III.4 (Sở Y tế): “Tổ chức tuyên truyền”",
    ]


def test_print_view_has_every_source_and_escapes_text():
    turn = {**REAL_TURN, "question": "<script>x</script>"}
    page = export.print_html([turn], "In")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<li value=") == 2 and "“Tổ chức tuyên truyền”" in page


def test_document_cards_escape_and_list_every_document(library):
    cards = present.document_cards(library)
    assert cards.count('<li class="doc-card">') == len(library.documents)
    assert present.filter_chips(Filters(provinces=["<b>X</b>"])).count("&lt;b&gt;") == 1
    assert present.filter_chips(Filters()) == ""


# A statement that opens with its clause's own number, in the chat's Markdown ("1\. …") and as text ("1. …").
ESCAPED_CLAUSE = re.compile(r"^(?:\d+(?:\\\.\d+)*|[a-zđ])\\[.)] ")
CLAUSE = re.compile(r"^(?:\d+(?:\.\d+)*|[a-zđ])[.)] ")


def test_numbered_clauses_show_their_number_without_a_bullet(engine):
    """The engine states each numbered clause of "Mục đích" as a bullet ("- 1. …"): every form
    shows "1. …" alone, as the document does, and bullets stay bullets."""
    response = engine.ask("Mục đích của kế hoạch Tháng hành động phòng, chống ma túy năm 2023 của Sơn La là gì?")
    text = response.response or ""
    clauses = [line for line in text.split("\n") if re.match(r"^- (?:\d+(?:\.\d+)*|[a-zđ])[.)] ", line)]
    assert clauses, "this answer should state numbered clauses"
    citations = list((response.metadata or {})["citations"])
    lines = present.answer_lines(text, {int(c["n"]) for c in citations})
    assert not any(re.match(r"^- (?:\d+(?:\\\.\d+)*|[a-zđ])\\[.)] ", line) for line in lines)
    numbered = [i for i, line in enumerate(lines) if ESCAPED_CLAUSE.match(line)]
    assert len(numbered) == len(clauses)
    # each its own paragraph: a blank line before and after, so it runs into no list item or line
    assert all(lines[i - 1] == "" and (i + 1 == len(lines) or lines[i + 1] == "") for i in numbered)
    turn = {"question": "Mục đích?", "answer": text, "citations": citations}
    for copied in (export.copy_text(turn), export.plain_text(turn)):
        assert not re.search(r"(?m)^- (?:\d+(?:\.\d+)*|[a-zđ])[.)] ", copied)
        assert sum(1 for line in copied.split("\n") if CLAUSE.match(line)) >= len(clauses)
    markdown = export.markdown_file([turn], "Mục đích")
    assert not re.search(r"(?m)^- (?:\d+(?:\\\.\d+)*|[a-zđ])\\?[.)] ", markdown)
    assert sum(1 for line in markdown.split("\n") if ESCAPED_CLAUSE.match(line)) == len(clauses)
    printed = export.print_html([turn], "In")
    assert not re.search(r"<li>(?:\d+(?:\.\d+)*|[a-zđ])[.)] ", printed)


def test_a_long_run_of_numbered_clauses_folds_like_bullets():
    answer_text = "**A**\nMục 1:\n" + "\n".join(f"- {i}. việc {i} [{i}]" for i in range(1, 8))
    final = list(present.stream_answer(answer_text, [{"n": i} for i in range(1, 8)]))[-1]
    shown, folded = final.split("<details", 1)
    assert sum(1 for line in shown.split("\n") if ESCAPED_CLAUSE.match(line)) == present.FIRST_ITEMS
    assert "Xem thêm 4 ý" in folded and "- " not in final


DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d{1,2}\b|\btháng \d{1,2}(?:/\d{4})?\b")


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_on_the_first_screen_is_answered_from_a_passage_that_says_it(engine, example):
    """The page's own examples, asked as the page asks them: answered (never refused), and the
    first quote is the passage about what the question names: its body (in the quote or the
    section it sits in), province and year, a date when it asks when, the signer the document
    model read when it asks who signed, and most of its other words (with the document's title)."""
    library = engine.library
    turn = answer(engine, prepare(engine, example, None, Filters()), Filters())
    assert not turn.abstained and turn.kind != "rejected", turn.answer
    assert turn.citations and "[1]" in turn.answer
    first = turn.citations[0]
    entry = library.documents[str(first["source"])]
    quote = collapse_spaces(str(first.get("quote") or ""))
    where = fold(f"{first.get('heading_path') or ''} {quote}")
    asked = understand(example, library)
    for agency in asked.agencies:
        assert re.search(rf"\b{agency.key}\b", where), f"[1] is not about {agency.name}: {quote[:120]}"
    assert not asked.provinces or entry.province in asked.provinces
    assert not asked.years or entry.year in asked.years or any(str(y) in entry.title for y in asked.years)
    if asked.intents & TIME:
        assert DATE.search(quote), f"[1] has no date: {quote[:120]}"
    if asked.metadata_field == "signer":
        assert entry.signer and fold(entry.signer) in fold(quote)
    words = [w for w in asked.terms if w not in asked.markers]
    said = fold(f"{entry.title} {first.get('heading_path') or ''} {quote}").split()
    assert sum(w in said for w in words) * 2 >= len(words), f"[1] says little of {words}: {quote[:120]}"
