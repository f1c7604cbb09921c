"""Web chat for staff: ask, follow up, filter, read the sources, keep and export conversations;
admins add documents.

    python app.py            # builds the index first if there is none, then serves settings.host:port

Safe by default: listens on 127.0.0.1 unless ASSISTANT_HOST says otherwise, no share link, no
analytics, monitoring or run history, no web fonts from outside. Questions and documents reach
the page as text (see assistant/present/views.py). Conversations are kept in the browser
(gr.BrowserState, the browser's localStorage), never on the server; exports are written to a
temporary folder and removed after an hour. Everyone may chat; adding documents needs an
administrator (ASSISTANT_ADMINS) to sign in inside the "Thêm văn bản" tab (see `_upload_tab`).

Bounded (issue 11): the server keeps a session's last `session_turns` turns and forgets the
whole session after `session_idle_minutes` idle (the browser's copy takes over again); questions
and feedback comments have a length limit the page states, and a request body over
`max_request_bytes` is refused unread; the queue refuses beyond `queue_size` in Vietnamese;
gradio's upload route is closed unless an administrator is signed in; the API key, when set,
guards every API route: the page's own calls carry the token the server set when it served the
page, and /chat and /feedback need the key whoever calls (see assistant/present/access.py and
sessions.py).

The page is built tab by tab (`_chat_tab`, `_documents_tab`, `_upload_tab`); each returns the
components the others and the wiring in `build_app` need.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
import time
import uuid
from abc import ABCMeta
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import ConfigurationError, Settings, load_settings  # importing `assistant` switches telemetry off: before gradio

import gradio as gr  # noqa: E402  (after the assistant package, on purpose)
from gradio.components.chatbot import TextMessage  # noqa: E402

from assistant.documents.naming import section_name  # noqa: E402
from assistant.answering.engine import QuestionRejected  # noqa: E402
from assistant.documents.load import SUPPORTED_SUFFIXES, DocumentRejected  # noqa: E402
from assistant.present import export  # noqa: E402
from assistant.present import suggestions  # noqa: E402
from assistant.present import views as present  # noqa: E402
from assistant.present.chat import Filters, Turn, answer, last_context, prepare, rejected  # noqa: E402
from assistant.present.access import AdminTokens, SignInGate, exposure_warnings, http_gates, listen_problem  # noqa: E402
from assistant.present.feedback import FeedbackRefused, FeedbackStore  # noqa: E402
from assistant.present.responsibility_tab import responsibility_tab  # noqa: E402
from assistant.present.approved_chat import ApprovedReplies  # noqa: E402
from assistant.present.admin_tab import admin_tab  # noqa: E402
from assistant.present.sessions import SessionBounds, bound_gradio_sessions, kept_turns, session_gate, session_ttl_seconds  # noqa: E402
from assistant.service import PolicyAssistant  # noqa: E402

TITLE = "Trợ lý chính sách"
STORAGE_KEY = "tro-ly-chinh-sach-hoi-thoai"
MAX_SAVED_CONVERSATIONS = 50  # localStorage holds about 5 MB per site
# A text box takes this many times its limit, so a long paste is refused with its length said
# rather than cut short without a word; the server refuses anything over the limit.
PASTE_ROOM = 2
THEME = gr.themes.Soft(
    primary_hue="blue",
    neutral_hue="slate",
    # Local fonts only: the default theme would ask Google Fonts for every page view.
    font=("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
    font_mono=("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
).set(
    # Subdued text (subtitles, hints, placeholders) at ≥ 4.5:1 on white.
    body_text_color_subdued="#475569",
    input_placeholder_color="#5b6677",
    # Primary buttons, selected choices and block titles dark enough for white or pale text (≥ 4.5:1).
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_border_color="*primary_700",
    checkbox_label_background_fill_selected="*primary_700",
    checkbox_label_border_color_selected="*primary_700",
    block_title_text_color="*primary_800",
    block_info_text_color="#475569",
)
SKIP = gr.skip
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
QUIET: dict[str, Any] = {**PRIVATE, "show_progress": "hidden"}  # instant panel updates: no "processing" overlay

WEB = Path(__file__).resolve().parent / "assistant" / "present" / "web"
CSS = WEB / "chat.css"
HEAD = WEB / "chat.js"

# Browser-only actions (gradio `js=`, no server call); scrolling, focus and the [n] links are
# handled by the page script itself (assistant/present/web/chat.js), which watches the chat.
COPY_ANSWER = "(text) => { window.troLy && window.troLy.copy(text); }"
CLOSE_SOURCES = "() => { window.troLy && window.troLy.closeSources(); }"
OPEN_SOURCES = "() => { window.troLy && window.troLy.openSources(); }"
PRINT = "() => { window.print(); }"
TOGGLE_HISTORY = "() => { window.troLy && window.troLy.toggleHistory(); }"
RATED = {"up": "✓ Hữu ích", "down": "✓ Chưa đúng"}


class _NoStub(type(gr.Chatbot)):  # type: ignore[misc]
    """gradio's component metaclass writes a `.pyi` stub beside the module of every Component
    subclass (it would write app.pyi); TextChatbot adds no events, so skip that step."""

    def __new__(mcls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        return ABCMeta.__new__(mcls, name, bases, attrs)


class TextChatbot(gr.Chatbot, metaclass=_NoStub):
    """A Chatbot whose *user* messages are shown literally.

    gr.Chatbot renders every message as Markdown/HTML, so `<b>x</b>` typed as a question would
    show bold and `[a](b)` as a link. Escaping on the way to the browser and unescaping on the
    way back keeps the server-side history the exact text typed. Assistant messages are escaped
    where they are composed (assistant/present/views.py).
    """

    is_template = True  # rendered by the frontend's own "chatbot" component

    def postprocess(self, value: Any) -> Any:
        data = super().postprocess(value)
        for message in data.root:
            if message.role == "user":
                for part in message.content:
                    if isinstance(part, TextMessage):
                        part.text = present.escape_markdown(part.text)
        return data

    def preprocess(self, payload: Any) -> Any:
        messages = super().preprocess(payload)
        for message in messages:
            if message["role"] == "user":
                for part in message["content"]:
                    if part.get("type") == "text":
                        part["text"] = present.unescape_markdown(part["text"])  # type: ignore[typeddict-item]
        return messages


def _turn_of_message(history: Sequence[dict[str, Any]], index: int) -> int:
    """Which turn a chatbot message index belongs to (a turn: one user message and its replies)."""
    return max(0, sum(1 for message in history[: index + 1] if message.get("role") == "user") - 1)


def rating_buttons(rating: str | None) -> tuple[Any, Any]:
    """The two rating buttons with `rating` shown as chosen (filled, a tick in its name)."""
    return tuple(  # type: ignore[return-value]
        gr.update(value=RATED[kind] if rating == kind else label, variant="primary" if rating == kind else "secondary")
        for kind, label in (("up", "Hữu ích"), ("down", "Chưa đúng"))
    )


def _reply(markdown: str) -> dict[str, Any]:
    return {"role": "assistant", "content": markdown}


def _filters(documents: Sequence[str] | None, provinces: Sequence[str] | None, years: Sequence[Any] | None) -> Filters:
    return Filters(list(documents or []), list(provinces or []), [str(y) for y in years or []])


def length_refusal(assistant: PolicyAssistant, message: str) -> str | None:
    """The engine's own refusal of a question over `max_question_chars`, before it is kept
    anywhere (chat, turns, browser); None when the length is fine."""
    if len(message or "") <= assistant.settings.max_question_chars:
        return None
    try:
        assistant.engine.read(message)  # refuses on length first, before any reading work
    except QuestionRejected as reason:
        return str(reason)
    return None  # only spaces made it long


def converse(
    assistant: PolicyAssistant, message: str, filters: Filters, turns: list[dict[str, Any]],
    replies: ApprovedReplies | None = None, usual: bool = False,
) -> Iterator[tuple[list[dict[str, Any]], Turn | None]]:
    """One question in a conversation: the reply as it grows (chat messages), then the kept turn.

    Follow-ups ("Còn Công an tỉnh thì sao?") are read in the light of the previous turn;
    greetings get the help reply; filters restrict the search unless the question overrides them.
    An administrator's approved answer to the same question comes first (`replies`; `usual`:
    the engine's answer, asked for below an approved one), and the question is logged for the
    review queue and the usage figures."""
    engine = assistant.engine
    last = last_context(turns)
    try:
        prepared = prepare(engine, message, last, filters)
    except QuestionRejected as reason:
        turn = rejected(message, str(reason), filters)
        yield [_reply(present.escape_markdown(str(reason)))], turn
        return
    if prepared.understood_as or prepared.notices:
        head = [present.understood_markdown(prepared.understood_as), *(present.notice_markdown(n) for n in prepared.notices)]
        yield [_reply("  \n".join(line for line in head if line))], None
    turn = None if usual or replies is None else replies.turn(prepared, filters, engine.library, last)
    turn = turn or answer(engine, prepared, filters, last)
    if replies is not None:
        replies.record(turn, engine.library)
    final = ""
    for piece in present.stream_answer(turn.answer, turn.citations, turn.understood_as, turn.notices):
        final = piece
        yield [_reply(piece)], None
    yield present.answer_messages(final, turn.citations), turn


# ----------------------------------------------------------------------------- conversations in the browser


def _conversations(saved: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [c for c in (saved or {}).get("conversations", []) if isinstance(c, dict) and c.get("id")]


def _history_choices(saved: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(c.get("title") or "Cuộc trò chuyện"), str(c["id"])) for c in _conversations(saved)]


def _open_turns(saved: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The turns of the conversation the browser has open."""
    current = (saved or {}).get("current")
    conversation = next((c for c in _conversations(saved) if c["id"] == current), None)
    return list((conversation or {}).get("turns") or [])


def _synced(kept: list[dict[str, Any]] | None, saved: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The session's turns; once an idle session's state has expired on the server, the
    browser's copy of the open conversation (so a follow-up still knows the last turn, and the
    saved conversation is not overwritten by the next answer alone)."""
    return list(kept) if kept else _open_turns(saved)


def _saved_with(saved: dict[str, Any] | None, conversation_id: str, turns: list[dict[str, Any]], title: str | None = None) -> dict[str, Any]:
    """The saved conversations with this one updated and moved to the top (newest first)."""
    others = [c for c in _conversations(saved) if c["id"] != conversation_id]
    before = next((c for c in _conversations(saved) if c["id"] == conversation_id), {})
    entry = {
        "id": conversation_id,
        "title": title or before.get("title") or export.conversation_title(turns),
        "updated": time.time(),
        "turns": turns,
    }
    return {"conversations": [entry, *others][:MAX_SAVED_CONVERSATIONS], "current": conversation_id}


def _browser_secret(settings: Settings) -> str:
    """The key gradio encrypts BrowserState with. A random key per start (gradio's default) would
    make every saved conversation unreadable after a restart, so one is kept per installation."""
    path = settings.data_dir / "browser-state.key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        path.write_text(key, encoding="utf-8")
        return key


# ----------------------------------------------------------------------------- the page


@dataclass
class ChatTab:
    """What the chat tab exposes to the rest of the page."""

    documents_filter: gr.CheckboxGroup
    provinces_filter: gr.CheckboxGroup
    years_filter: gr.CheckboxGroup
    turns: gr.State
    feedback_ids: gr.State
    restore: Any  # on page load: reopen the conversation that was open
    restore_inputs: list[Any]
    restore_outputs: list[Any]


@dataclass
class DocumentsTab:
    cards: gr.HTML
    pick: gr.Dropdown
    summary: gr.Markdown
    info: gr.Markdown
    outline: gr.Radio
    text: gr.Textbox


def build_app(assistant: PolicyAssistant, tokens: AdminTokens, warm: bool = True) -> gr.Blocks:
    """The page. `tokens` are the administrators' sign-ins, shared with `launch`'s upload gate."""
    settings = assistant.settings
    feedback = FeedbackStore.from_settings(settings)
    replies = ApprovedReplies.for_assistant(assistant, feedback)
    if warm:  # load the embedding model now, not on the first person's question
        try:
            assistant.engine.ask(present.EXAMPLES[0])
        except Exception:  # noqa: BLE001 — warming is best effort; the real question will report
            pass

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        saved = gr.BrowserState({"conversations": [], "current": None}, storage_key=STORAGE_KEY, secret=_browser_secret(settings))
        gr.HTML(
            f"<header class='app-header'><h1>{TITLE} phòng, chống ma túy</h1>"
            "<p>Hỏi về các văn bản trong chỉ mục. Mỗi câu trả lời trích nguyên văn và ghi nguồn [n]; "
            "khi không có văn bản nào nói tới, trợ lý nói rõ là không tìm thấy.</p></header>",
            padding=False,
        )
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                chat = _chat_tab(assistant, feedback, saved, replies)
            with gr.Tab("Văn bản", id="documents"):
                documents = _documents_tab(assistant)
            responsibility_tab(assistant)  # "Ai làm gì": matrix, deadlines, downloads (present.responsibility_tab)
            gate = SignInGate(settings.admins, settings, tokens)  # one lockout count for both tabs
            upload = _upload_tab(assistant, gate) if settings.admins else None
            if settings.admins:
                admin_tab(assistant, feedback, gate)
        _feedback_api(feedback, chat, settings)

        def library_updates() -> tuple[Any, ...]:
            lib = assistant.library
            choices = present.document_choices(lib)
            provinces = lib.provinces
            years = [str(y) for y in lib.years]
            # New sessions and API callers validate filter values against the components' own choices.
            chat.documents_filter.choices = [(label, value) for label, value in choices]
            chat.provinces_filter.choices = [(p, p) for p in provinces]
            chat.years_filter.choices = [(y, y) for y in years]
            return (
                gr.update(choices=choices), gr.update(choices=provinces), gr.update(choices=years),
                present.document_cards(lib), gr.update(choices=choices), present.library_summary(lib),
            )

        demo.load(chat.restore, chat.restore_inputs, chat.restore_outputs, queue=False, **QUIET)
        library_outputs = [chat.documents_filter, chat.provinces_filter, chat.years_filter, documents.cards, documents.pick, documents.summary]
        demo.load(library_updates, None, library_outputs, **PRIVATE).then(
            _show_document(assistant), [documents.pick], [documents.info, documents.outline, documents.text], **PRIVATE,
        )
        if upload is not None:
            upload.success(library_updates, None, library_outputs, **PRIVATE)
    return demo


def _chat_tab(assistant: PolicyAssistant, feedback: FeedbackStore, saved: gr.BrowserState, replies: ApprovedReplies | None = None) -> ChatTab:
    library = assistant.library
    settings = assistant.settings
    limit = settings.session_turns
    idle = session_ttl_seconds(settings)  # an idle session's turns are dropped; the browser keeps its copy
    turns = gr.State([], time_to_live=idle)
    conversation_id = gr.State("")
    shown_turn = gr.State(-1)
    feedback_ids = gr.State({}, time_to_live=idle)
    pending_feedback = gr.State(None, time_to_live=idle)
    asked = gr.State("", time_to_live=idle)
    ratings = gr.State({}, time_to_live=idle)  # turn id → "up" / "down": the choice shown on the buttons

    # On a phone the saved conversations and "+ Cuộc trò chuyện mới" sit behind this menu, at the top.
    history_menu = gr.Button("☰ Cuộc trò chuyện đã lưu", size="sm", elem_id="history-menu")
    with gr.Row(equal_height=False, elem_id="chat-layout"):
        # ---------------------------------------------------------------- history (left)
        with gr.Column(scale=1, min_width=220, elem_id="history-column"):
            new_chat = gr.Button("+ Cuộc trò chuyện mới", variant="primary", elem_id="new-chat")
            history = gr.Radio(
                choices=[], value=None, label="Cuộc trò chuyện đã lưu", info="Lưu trong trình duyệt này, không lưu trên máy chủ.",
                elem_id="history",
            )
            with gr.Accordion("Đổi tên, xóa, xuất, in", open=False, elem_id="history-tools"):
                rename_box = gr.Textbox(label="Tên cuộc trò chuyện đang mở", max_length=100, elem_id="rename-box")
                rename = gr.Button("Đổi tên", size="md", elem_id="rename")
                delete = gr.Button("Xóa cuộc trò chuyện này", variant="stop", size="md", elem_id="delete-chat")
                with gr.Group(visible=False, elem_id="delete-confirm") as confirm:
                    confirm_note = gr.Markdown()
                    with gr.Row():
                        confirm_yes = gr.Button("Xóa hẳn", variant="stop", elem_id="delete-yes")
                        confirm_no = gr.Button("Không xóa", elem_id="delete-no")
                export_all = gr.Button("Xuất cả cuộc trò chuyện (.docx, .md)", elem_id="export-conversation")
                print_button = gr.Button("In cuộc trò chuyện", elem_id="print")
                conversation_files = gr.File(label="Tệp xuất — bấm tên tệp để tải", visible=False, interactive=False, elem_id="conversation-files")
            history_note = gr.Markdown(elem_id="history-note")

        # ---------------------------------------------------------------- conversation (middle)
        with gr.Column(scale=3, min_width=360, elem_id="chat-column"):
            with gr.Row(visible=False, elem_id="filter-chips-row") as chips_row:
                chips = gr.HTML(elem_id="filter-chips", padding=False)
                clear_filters = gr.Button("Bỏ lọc", size="sm", scale=0, min_width=90, elem_id="clear-filters")
            chatbot = TextChatbot(
                show_label=False, label="Cuộc trò chuyện", height="calc(100vh - 330px)", min_height=300, autoscroll=False,
                latex_delimiters=[], buttons=[], layout="panel",
                placeholder=f"**Hỏi về văn bản chính sách** — chọn một câu hỏi mẫu hoặc nhập câu hỏi của bạn.\n\n{present.loaded_summary(library)}",
                elem_id="chatbot",
            )
            # Under the answer: follow-ups drawn from the cited documents, each answered before it is shown.
            with gr.Row(visible=False, elem_id="suggestions") as suggestions_row:
                suggestion_buttons = [gr.Button("", size="sm", elem_classes="suggestion", visible=False) for _ in range(suggestions.MAX_SHOWN)]
            # Below an approved answer: the assistant's own answer to the same question, on request.
            usual_answer = gr.Button("Xem câu trả lời tự động", size="sm", visible=False, elem_id="usual-answer")
            with gr.Row(equal_height=True, elem_id="ask-row"):
                question = gr.Textbox(
                    label="Câu hỏi", show_label=False, placeholder="Nhập câu hỏi, ví dụ: Sở Y tế phải làm gì?", lines=1, max_lines=6,
                    interactive=True, scale=5, elem_id="question", max_length=settings.max_question_chars * PASTE_ROOM,
                )
                send = gr.Button("Gửi", variant="primary", scale=0, min_width=80, elem_id="send")
            question_note = gr.Markdown(elem_id="question-note")
            with gr.Row(elem_id="examples"):
                example_buttons = [gr.Button(q, size="sm", elem_classes="example") for q in present.EXAMPLES]

        # ---------------------------------------------------------------- answer and sources (right)
        with gr.Column(scale=2, min_width=320, elem_id="side-column"):
            with gr.Accordion("Phạm vi tìm kiếm", open=False, elem_id="filters"):
                documents_filter = gr.CheckboxGroup(choices=present.document_choices(library), value=[], label="Văn bản", info="Để trống: tìm trong mọi văn bản.", elem_id="filter-documents")
                provinces_filter = gr.CheckboxGroup(choices=library.provinces, value=[], label="Tỉnh", elem_id="filter-provinces")
                years_filter = gr.CheckboxGroup(choices=[str(y) for y in library.years], value=[], label="Năm", elem_id="filter-years")
                filter_note = gr.Markdown(present.filter_summary(Filters(), library))
            with gr.Column(variant="panel", elem_id="answer-panel"):
                answer_hint = gr.Markdown(present.SOURCES_HINT, elem_id="answer-hint")
                with gr.Row(visible=False, elem_id="answer-tools") as tools:
                    copy = gr.Button("Sao chép", size="sm", elem_id="copy-answer")
                    export_one = gr.Button("Xuất tệp", size="sm", elem_id="export-answer")
                    like = gr.Button("Hữu ích", size="sm", elem_id="rate-up")
                    dislike = gr.Button("Chưa đúng", size="sm", elem_id="rate-down")
                    open_sources = gr.Button("Xem nguồn", size="sm", elem_id="open-sources")
                answer_files = gr.File(label="Tệp xuất — bấm tên tệp để tải", visible=False, interactive=False, elem_id="answer-files")
                with gr.Column(visible=False, elem_id="feedback-box") as comment_box:
                    comment_note = gr.Markdown()
                    comment = gr.Textbox(
                        label="Góp ý thêm (không bắt buộc)", max_length=settings.feedback_comment_chars * PASTE_ROOM,
                        info=f"Tối đa {settings.feedback_comment_chars:,} ký tự.".replace(",", "."), elem_id="feedback-comment",
                    )
                    comment_send = gr.Button("Gửi góp ý", size="sm")
            with gr.Column(variant="panel", elem_id="sources-panel"):
                with gr.Row(elem_id="sources-top"):
                    source_title = gr.Markdown("### Nguồn trích dẫn", elem_id="sources-title")
                    close_sources = gr.Button("Đóng", size="sm", scale=0, min_width=70, elem_id="close-sources")
                source_pick = gr.Dropdown(choices=[], label="Xem nguồn", info="Chọn một nguồn để đọc cả mục chứa đoạn trích.", visible=False, elem_id="source-pick")
                source_head = gr.Markdown(visible=False, elem_id="source-head")
                source_text = gr.HighlightedText(
                    label="Mục chứa đoạn trích", show_label=False, combine_adjacent=True, show_legend=False, show_inline_category=False,
                    color_map={present.QUOTE_LABEL: "#fde68a"}, visible=False, elem_id="source-text",
                )
    # Stores the browser reads from or writes to (hidden by CSS, so they stay in the page).
    copy_text = gr.Textbox(show_label=False, label="Văn bản để sao chép", elem_classes="store", elem_id="copy-text")
    cite_request = gr.Textbox(show_label=False, label="Nguồn được bấm", elem_classes="store", elem_id="cite-request")
    outbox = gr.Textbox(show_label=False, label="Câu hỏi vừa gửi", elem_classes="store", elem_id="outbox", max_length=settings.max_question_chars * PASTE_ROOM + 40)
    print_view = gr.HTML(elem_id="print-view", padding=False)

    # ---------------------------------------------------------------- sources panel

    def show_turn(kept: list[dict[str, Any]], index: int, n: str | None = None, chosen: dict[str, str] | None = None) -> tuple[Any, ...]:
        """The panel for answer `index`: which answer it is, its tools (with the rating given to
        it, if any), and source n (default the first)."""
        hidden = gr.update(choices=[], value=None, visible=False)
        if not kept or not 0 <= index < len(kept):
            return (index, present.SOURCES_HINT, gr.update(visible=False), hidden, gr.update(value="", visible=False),
                    gr.update(value=None, visible=False), "", gr.update(visible=False), "### Nguồn trích dẫn", *rating_buttons(None))
        turn = Turn.from_dict(kept[index])
        rated = rating_buttons((chosen or {}).get(turn.id))
        hint = present.turn_hint(index, turn.question)
        text = export.copy_text(turn.as_dict())
        if not turn.citations:
            hint = present.turn_hint(index, turn.question, "Câu trả lời này không trích dẫn văn bản nào.")
            return (index, hint, gr.update(visible=True), hidden, gr.update(value="", visible=False),
                    gr.update(value=None, visible=False), text, gr.update(visible=False), present.sources_heading(index), *rated)
        citation = next((c for c in turn.citations if str(c["n"]) == str(n)), turn.citations[0])
        choices = [(present.source_choice(c), str(c["n"])) for c in turn.citations]
        head, spans = present.source_view(assistant.library, citation)
        return (index, hint, gr.update(visible=True), gr.update(choices=choices, value=str(citation["n"]), visible=True),
                gr.update(value=head, visible=True), gr.update(value=spans, visible=True), text, gr.update(visible=False),
                present.sources_heading(index), *rated)

    panel = [shown_turn, answer_hint, tools, source_pick, source_head, source_text, copy_text, answer_files, source_title, like, dislike]

    def show_latest(kept: list[dict[str, Any]], chosen: dict[str, str] | None = None) -> tuple[Any, ...]:
        return show_turn(kept, len(kept or []) - 1, chosen=chosen)

    def show_selected(kept: list[dict[str, Any]], history_messages: list[dict[str, Any]], chosen: dict[str, str], event: gr.SelectData) -> tuple[Any, ...]:
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return show_turn(kept, _turn_of_message(history_messages, int(index)), chosen=chosen)

    def show_cited(request: str, kept: list[dict[str, Any]], chosen: dict[str, str]) -> tuple[Any, ...]:
        """A click on [n] in answer t (the browser sends "t:n")."""
        try:
            index, n = (int(part) for part in (request or "").split(":")[:2])
        except ValueError:
            return tuple(SKIP() for _ in panel)
        return show_turn(kept, index, str(n), chosen)

    def show_source(kept: list[dict[str, Any]], index: int, n: str | None) -> tuple[Any, Any]:
        if not kept or not 0 <= index < len(kept) or not n:
            return SKIP(), SKIP()
        citation = next((c for c in kept[index].get("citations", []) if str(c.get("n")) == str(n)), None)
        if citation is None:
            return SKIP(), SKIP()
        head, spans = present.source_view(assistant.library, citation)
        return gr.update(value=head, visible=True), gr.update(value=spans, visible=True)

    # ---------------------------------------------------------------- asking

    def accept(message: str, messages: list[dict[str, Any]]) -> tuple[Any, ...]:
        """The question shows in the chat (an example's, or one the page took from the box: the
        box was emptied in the browser as it was sent, and what is typed since stays there). One
        over the length limit goes back to the box, said why, and changes nothing else."""
        if not (message or "").strip():
            return SKIP(), SKIP(), "", ""
        refusal = length_refusal(assistant, message)
        if refusal is not None:
            return message, SKIP(), "", present.escape_markdown(refusal)
        return SKIP(), [*(messages or []), {"role": "user", "content": message}], message, ""

    def accept_sent(sent: str, messages: list[dict[str, Any]]) -> tuple[Any, ...]:
        """A question the page sent through the outbox ("<nonce>\\n<question>")."""
        return accept((sent or "").partition("\n")[2], messages)

    def respond(
        message: str, documents: list[str] | None, provinces: list[str] | None,
        years: list[str] | None, kept: list[dict[str, Any]], browser: dict[str, Any] | None, usual: bool = False,
    ) -> Iterator[tuple[Any, Any]]:
        """The answer as it grows. The session keeps its last `session_turns` turns, and the chat
        is redrawn from them: message and turn numbers stay aligned, and a question the busy queue
        refused (shown, never answered) does not linger."""
        if not message:
            yield SKIP(), SKIP()
            return
        earlier = kept_turns(_synced(kept, browser), limit - 1)
        before = [*(m for turn in earlier for m in present.turn_messages(turn)), {"role": "user", "content": message}]
        for reply, turn in converse(assistant, message, _filters(documents, provinces, years), earlier, replies, usual):
            yield before + present.chat_messages(reply), (earlier + [turn.as_dict()]) if turn is not None else SKIP()

    def remember(kept: list[dict[str, Any]], browser: dict[str, Any] | None, current: str) -> tuple[Any, ...]:
        """After an answer: the conversation saved in the browser, listed first."""
        if not kept:
            return SKIP(), SKIP(), SKIP(), SKIP()
        updated = _saved_with(browser, current, kept)
        title = updated["conversations"][0]["title"]
        return updated, gr.update(choices=_history_choices(updated), value=current), title, export.print_html(kept, title)

    ask_inputs = [asked, documents_filter, provinces_filter, years_filter, turns, saved]
    suggested = [suggestions_row, *suggestion_buttons]

    def suggest(kept: list[dict[str, Any]]) -> tuple[Any, ...]:
        """Up to three follow-ups the assistant has just answered from the cited documents."""
        shown = suggestions.checked(assistant.engine, kept[-1]) if kept else []
        return (gr.update(visible=bool(shown)),
                *(gr.update(value=shown[i], visible=True) if i < len(shown) else gr.update(value="", visible=False) for i in range(len(suggestion_buttons))))

    def ask_chain(trigger: Any) -> None:
        """Answer, save the conversation in the browser, then show the answer's panel: once the
        panel says "Câu trả lời số n", a reload or a closed tab loses nothing. The suggested
        follow-ups come last, once they have been answered."""
        trigger.then(
            lambda: (gr.update(visible=False), gr.update(visible=False)), None, [suggestions_row, usual_answer], queue=False, **QUIET,
        ).then(
            respond, ask_inputs, [chatbot, turns], concurrency_limit="default", concurrency_id="chat", show_progress="hidden", **PRIVATE,
        ).then(
            remember, [turns, saved, conversation_id], [saved, history, rename_box, print_view], queue=False, **QUIET,
        ).then(show_latest, [turns, ratings], panel, queue=False, **QUIET).then(
            lambda kept: gr.update(visible=bool(kept) and kept[-1].get("kind") == "approved"), [turns], [usual_answer], queue=False, **QUIET,
        ).then(
            suggest, [turns], suggested, concurrency_limit="default", concurrency_id="chat", show_progress="hidden", **PRIVATE,
        )

    def respond_usual(documents: list[str] | None, provinces: list[str] | None, years: list[str] | None,
                      kept: list[dict[str, Any]], browser: dict[str, Any] | None) -> Iterator[tuple[Any, Any]]:
        """The engine's own answer to the question an approved answer was just given to."""
        last = (kept or [{}])[-1]
        if last.get("kind") != "approved":
            yield SKIP(), SKIP()
            return
        yield from respond(str(last.get("question") or ""), documents, provinces, years, kept, browser, usual=True)

    usual_answer.click(lambda: gr.update(visible=False), None, [usual_answer], queue=False, **QUIET).then(
        respond_usual, ask_inputs[1:], [chatbot, turns], concurrency_limit="default", concurrency_id="chat", show_progress="hidden", **PRIVATE,
    ).then(
        remember, [turns, saved, conversation_id], [saved, history, rename_box, print_view], queue=False, **QUIET,
    ).then(show_latest, [turns, ratings], panel, queue=False, **QUIET)

    accepted = [question, chatbot, asked, question_note]
    # Enter and "Gửi" are handled by the page (chat.js): it empties the box and writes the question
    # here, so nothing typed after sending is lost or added to the question.
    ask_chain(outbox.change(accept_sent, [outbox, chatbot], accepted, queue=False, show_progress="hidden", **PRIVATE))
    for button, example in zip(example_buttons, present.EXAMPLES):
        ask_chain(button.click(lambda messages, q=example: accept(q, messages), [chatbot], accepted, queue=False, **PRIVATE))
    for button in suggestion_buttons:
        ask_chain(button.click(accept, [button, chatbot], accepted, queue=False, **PRIVATE))

    # ---------------------------------------------------------------- conversations

    def restore(browser: dict[str, Any] | None) -> tuple[Any, ...]:
        """On page load: the conversation that was open, as it was."""
        current = (browser or {}).get("current")
        conversation = next((c for c in _conversations(browser) if c["id"] == current), None)
        choices = _history_choices(browser)
        if conversation is None:
            return (uuid.uuid4().hex, [], [], gr.update(choices=choices, value=None), "", "", *show_turn([], -1))
        kept = kept_turns(conversation.get("turns"), limit)
        messages = [m for turn in kept for m in present.turn_messages(turn)]
        return (conversation["id"], kept, messages, gr.update(choices=choices, value=conversation["id"]),
                conversation.get("title", ""), export.print_html(kept, conversation.get("title", "")), *show_latest(kept))

    opened = [conversation_id, turns, chatbot, history, rename_box, print_view, *panel]

    def open_conversation(chosen: str | None, browser: dict[str, Any] | None) -> tuple[Any, ...]:
        if not chosen:
            return tuple(SKIP() for _ in range(len(opened) + 3))
        browser = {"conversations": _conversations(browser), "current": chosen}
        return (*restore(browser), browser, {}, gr.update(visible=False))

    def start_new(browser: dict[str, Any] | None) -> tuple[Any, ...]:
        """A new conversation; the one that was open stays in the list."""
        browser = {"conversations": _conversations(browser), "current": None}
        return (*restore(browser), browser, {}, gr.update(visible=False))

    def rename_current(name: str, browser: dict[str, Any] | None, current: str) -> tuple[Any, ...]:
        name = " ".join((name or "").split())
        conversation = next((c for c in _conversations(browser) if c["id"] == current), None)
        if conversation is None:
            return SKIP(), SKIP(), "Chưa có cuộc trò chuyện nào được lưu để đổi tên: hãy hỏi một câu trước."
        if not name:
            return SKIP(), SKIP(), "Tên không được để trống."
        updated = _saved_with(browser, current, list(conversation.get("turns") or []), title=name)
        updated["conversations"].sort(key=lambda c: -float(c.get("updated") or 0))
        return updated, gr.update(choices=_history_choices(updated), value=current), f"Đã đổi tên thành “{present.escape_markdown(name)}”."

    def ask_delete(browser: dict[str, Any] | None, current: str) -> tuple[Any, ...]:
        conversation = next((c for c in _conversations(browser) if c["id"] == current), None)
        if conversation is None:
            return gr.update(visible=False), "", "Cuộc trò chuyện đang mở chưa được lưu, không có gì để xóa."
        note = f"Xóa cuộc trò chuyện “{present.escape_markdown(str(conversation.get('title')))}”? Không thể hoàn tác."
        return gr.update(visible=True), note, ""

    def delete_current(browser: dict[str, Any] | None, current: str) -> tuple[Any, ...]:
        remaining = {"conversations": [c for c in _conversations(browser) if c["id"] != current], "current": None}
        return (*restore(remaining), remaining, {}, gr.update(visible=False), gr.update(visible=False), "Đã xóa cuộc trò chuyện.")

    reset = [saved, feedback_ids, comment_box]  # (suggestions of the old conversation are hidden below)
    new_chat.click(start_new, [saved], [*opened, *reset], queue=False, **QUIET)
    history.input(open_conversation, [history, saved], [*opened, *reset], queue=False, **QUIET)
    rename.click(rename_current, [rename_box, saved, conversation_id], [saved, history, history_note], queue=False, **PRIVATE)
    rename_box.submit(rename_current, [rename_box, saved, conversation_id], [saved, history, history_note], queue=False, **PRIVATE)
    delete.click(ask_delete, [saved, conversation_id], [confirm, confirm_note, history_note], queue=False, **PRIVATE)
    confirm_no.click(lambda: gr.update(visible=False), None, [confirm], queue=False, **PRIVATE)
    confirm_yes.click(delete_current, [saved, conversation_id], [*opened, *reset, confirm, history_note], queue=False, **QUIET)

    # ---------------------------------------------------------------- copy, export, print

    def export_answer(kept: list[dict[str, Any]], index: int) -> Any:
        if not kept or not 0 <= index < len(kept):
            raise gr.Error("Chưa có câu trả lời nào để xuất.", title="Không xuất được", print_exception=False)
        paths = export.export_files([kept[index]], f"Câu trả lời số {index + 1}", f"tra-loi-so-{index + 1}")
        return gr.update(value=[str(p) for p in paths], visible=True)

    def export_conversation(kept: list[dict[str, Any]], title: str) -> Any:
        if not kept:
            raise gr.Error("Cuộc trò chuyện chưa có câu hỏi nào để xuất.", title="Không xuất được", print_exception=False)
        paths = export.export_files(kept, title or export.conversation_title(kept), "cuoc-tro-chuyen")
        return gr.update(value=[str(p) for p in paths], visible=True)

    copy.click(None, [copy_text], None, js=COPY_ANSWER, **PRIVATE)
    export_one.click(export_answer, [turns, shown_turn], [answer_files], **PRIVATE)
    export_all.click(export_conversation, [turns, rename_box], [conversation_files], **PRIVATE)
    print_button.click(None, None, None, js=PRINT, **PRIVATE)

    # ---------------------------------------------------------------- feedback

    def rate(kept: list[dict[str, Any]], index: int, ids: dict[str, int], chosen: dict[str, str], rating: str, request: gr.Request) -> tuple[Any, ...]:
        """One rating per answer: a second click changes it (the same record), and the chosen
        button shows as chosen."""
        if not kept or not 0 <= index < len(kept):
            return SKIP(), ids, gr.update(visible=False), SKIP(), SKIP(), SKIP(), SKIP()
        try:
            feedback_id, ids = _record(feedback, kept, index, rating, "", ids, request.session_hash or "")
        except FeedbackRefused as refused:
            gr.Warning(str(refused), title="Chưa ghi nhận đánh giá")
            return SKIP(), SKIP(), SKIP(), SKIP(), SKIP(), SKIP(), SKIP()
        chosen = {**(chosen or {}), str(kept[index].get("id")): rating}
        thanks = "Cảm ơn bạn đã đánh giá câu trả lời hữu ích." if rating == "up" else "Cảm ơn bạn đã báo câu trả lời chưa đúng."
        return (feedback_id, ids, gr.update(visible=True), f"{thanks} Góp ý thêm cho câu trả lời số {index + 1} (không bắt buộc):",
                chosen, *rating_buttons(rating))

    def save_comment(text: str, feedback_id: int | None, request: gr.Request) -> tuple[Any, Any]:
        """A refused comment stays in the box, with the reason above it."""
        if not feedback_id or not text.strip():
            return gr.update(), SKIP()
        try:
            feedback.update(int(feedback_id), comment=text, session=request.session_hash or "")
        except FeedbackRefused as refused:
            return gr.update(value=f"**Chưa lưu góp ý:** {present.escape_markdown(str(refused))}"), SKIP()
        return gr.update(value="Đã lưu góp ý. Cảm ơn bạn!"), ""

    rated = [pending_feedback, feedback_ids, comment_box, comment_note, ratings, like, dislike]
    def rate_up(kept: list[dict[str, Any]], index: int, ids: dict[str, int], chosen: dict[str, str], request: gr.Request) -> tuple[Any, ...]:
        return rate(kept, index, ids, chosen, "up", request)

    def rate_down(kept: list[dict[str, Any]], index: int, ids: dict[str, int], chosen: dict[str, str], request: gr.Request) -> tuple[Any, ...]:
        return rate(kept, index, ids, chosen, "down", request)

    like.click(rate_up, [turns, shown_turn, feedback_ids, ratings], rated, **PRIVATE)
    dislike.click(rate_down, [turns, shown_turn, feedback_ids, ratings], rated, **PRIVATE)
    history_menu.click(None, js=TOGGLE_HISTORY, **PRIVATE)
    comment_send.click(save_comment, [comment, pending_feedback], [comment_note, comment], **PRIVATE)
    comment.submit(save_comment, [comment, pending_feedback], [comment_note, comment], **PRIVATE)

    # ---------------------------------------------------------------- panel events, filters, load

    chatbot.select(show_selected, [turns, chatbot, ratings], panel, queue=False, **QUIET)
    cite_request.change(show_cited, [cite_request, turns, ratings], panel, queue=False, **QUIET)
    source_pick.input(show_source, [turns, shown_turn, source_pick], [source_head, source_text], queue=False, **QUIET)
    close_sources.click(None, js=CLOSE_SOURCES, **PRIVATE)
    open_sources.click(None, js=OPEN_SOURCES, **PRIVATE)

    def filters_changed(documents: list[str], provinces: list[str], years: list[str]) -> tuple[Any, ...]:
        filters = _filters(documents, provinces, years)
        return present.filter_summary(filters, assistant.library), present.filter_chips(filters), gr.update(visible=filters.active)

    for box in (documents_filter, provinces_filter, years_filter):
        box.change(filters_changed, [documents_filter, provinces_filter, years_filter], [filter_note, chips, chips_row], queue=False, **PRIVATE)
    clear_filters.click(lambda: ([], [], []), None, [documents_filter, provinces_filter, years_filter], queue=False, **PRIVATE)

    api_message = gr.Textbox(visible=False, label="message")
    api_reply = gr.JSON(visible=False, label="reply")
    api_citations = gr.JSON(visible=False, label="citations")
    api_button = gr.Button(visible=False)

    def chat_api(message: str, documents: list[str] | None, provinces: list[str] | None, years: list[str] | None, kept: list[dict[str, Any]]) -> Iterator[tuple[Any, Any, Any]]:
        """Ask the assistant. Returns the reply as chat messages (the answer in Markdown, then its
        numbered sources) and the citations [{n, source, title, section, quote, province,
        heading_path, node_id}]. Follow-ups are read in the light of this session's previous turn;
        documents / provinces / years restrict the search."""
        refusal = length_refusal(assistant, message)
        if refusal is not None:  # said, and kept nowhere
            yield [_reply(present.escape_markdown(refusal))], [], SKIP()
            return
        earlier = kept_turns(kept, limit - 1)
        for reply, turn in converse(assistant, message, _filters(documents, provinces, years), earlier, replies):
            if turn is None:
                # No citations yet: [] rather than SKIP(). gradio turns a skip of a component (not
                # of a State) into a new component registered in the session for good, ~30 kB a
                # question; with SKIP() here a soak at 8 users grew 34% in 10 minutes.
                yield reply, [], SKIP()
            else:
                yield reply, turn.citations, earlier + [turn.as_dict()]

    api_button.click(
        chat_api, [api_message, documents_filter, provinces_filter, years_filter, turns], [api_reply, api_citations, turns],
        api_name="chat", concurrency_limit="default", concurrency_id="chat",
    )

    api_next = gr.JSON(visible=False, label="latest")
    api_next_button = gr.Button(visible=False)

    def latest_api(kept: list[dict[str, Any]]) -> dict[str, Any]:
        """About this session's latest answer (after /chat): the question as understood (a
        follow-up rewritten from the previous turn), the text "Sao chép" copies (the answer once
        and a short source list), and up to three suggested follow-ups, each already answered
        from the document it was drawn from."""
        if not kept:
            raise gr.Error("Chưa có câu trả lời nào trong phiên này.", print_exception=False)
        turn = kept[-1]
        return {
            "question": turn.get("question"), "understood_as": turn.get("understood_as"),
            "copy_text": export.copy_text(turn), "suggestions": suggestions.checked(assistant.engine, turn),
        }

    api_next_button.click(latest_api, [turns], [api_next], api_name="latest", concurrency_limit="default", concurrency_id="chat")
    return ChatTab(documents_filter, provinces_filter, years_filter, turns, feedback_ids, restore, [saved], opened)


def _record(
    feedback: FeedbackStore, kept: list[dict[str, Any]], index: int, rating: str, comment: str, ids: dict[str, int], session: str,
) -> tuple[int, dict[str, int]]:
    """Store (or update) the rating of answer `index`; one row per answer and session.
    Raises FeedbackRefused (comment too long, too many in a minute) with the user's message."""
    turn = Turn.from_dict(kept[index])
    ids = dict(ids or {})
    if turn.id in ids and feedback.update(ids[turn.id], rating=rating, comment=comment or None, session=session):  # type: ignore[arg-type]
        return ids[turn.id], ids
    ids[turn.id] = feedback.add(
        rating,  # type: ignore[arg-type]
        question=turn.question, answer=turn.answer, citations=turn.citations, filters=turn.filters, comment=comment,
        understood_as=turn.understood_as, build_id=turn.build_id, session=session, turn_id=turn.id,
    )
    return ids[turn.id], ids


def _feedback_api(feedback: FeedbackStore, chat: ChatTab, settings: Settings) -> None:
    """/feedback for scripts: rate an answer of the same session."""
    api_rating = gr.Radio(choices=["up", "down"], value="up", visible=False, label="rating")
    api_comment = gr.Textbox(visible=False, label="comment", max_length=settings.feedback_comment_chars * PASTE_ROOM)
    api_number = gr.Number(value=0, precision=0, visible=False, label="answer_number")
    api_result = gr.Textbox(visible=False, label="result")
    api_button = gr.Button(visible=False)

    def api_feedback(rating: str, comment: str, answer_number: float | None, turns: list[dict[str, Any]], ids: dict[str, int], request: gr.Request) -> tuple[str, dict[str, int]]:
        """Rate an answer of this session: rating "up" or "down", an optional comment, and the
        answer's number (1 = first; 0 = the latest)."""
        turns = list(turns or [])
        if not turns:
            raise gr.Error("Chưa có câu trả lời nào để đánh giá.", print_exception=False)
        if rating not in ("up", "down"):
            raise gr.Error("rating phải là “up” hoặc “down”.", print_exception=False)
        number = int(answer_number or 0)
        index = len(turns) - 1 if number <= 0 else number - 1
        if not 0 <= index < len(turns):
            raise gr.Error(f"Không có câu trả lời số {number}.", print_exception=False)
        try:
            feedback_id, ids = _record(feedback, turns, index, rating, comment or "", ids, request.session_hash or "")
        except FeedbackRefused as refused:
            raise gr.Error(str(refused), title="Chưa ghi nhận phản hồi", print_exception=False) from None
        return f"Đã ghi nhận phản hồi #{feedback_id} cho câu trả lời số {index + 1}.", ids

    api_button.click(api_feedback, [api_rating, api_comment, api_number, chat.turns, chat.feedback_ids], [api_result, chat.feedback_ids], api_name="feedback")


def _show_document(assistant: PolicyAssistant) -> Any:
    def show_document(source: str | None) -> tuple[Any, ...]:
        lib = assistant.library
        entry = lib.documents.get(source or "")
        if entry is None:
            return "", gr.update(choices=[], value=None), gr.update(value="", label="Toàn văn")
        nodes = lib.sections_of(entry.source)
        return (present.document_markdown(entry, lib), gr.update(choices=present.outline_choices(nodes), value=None),
                gr.update(value=lib.full_texts.get(entry.source, ""), label="Toàn văn"))

    return show_document


def _documents_tab(assistant: PolicyAssistant) -> DocumentsTab:
    """Every document as a card; one read in full or section by section."""
    library = assistant.library
    choices = present.document_choices(library)
    summary = gr.Markdown(present.library_summary(library))
    cards = gr.HTML(present.document_cards(library), elem_id="documents-cards", padding=False)
    pick = gr.Dropdown(choices=choices, value=choices[0][1] if choices else None, label="Đọc văn bản", elem_id="document-pick")
    info = gr.Markdown(elem_id="document-info")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            outline = gr.Radio(choices=[], label="Mục lục — chọn một mục để đọc riêng mục đó", elem_id="outline")
        with gr.Column(scale=3, min_width=300):
            text = gr.Textbox(label="Toàn văn", lines=24, max_lines=24, interactive=False, elem_id="document-text")
            full = gr.Button("Xem toàn văn", size="md")

    def show_section(source: str | None, position: str | None) -> Any:
        nodes = assistant.library.sections_of(source or "")
        if position is None or not position.isdigit() or not 0 <= int(position) < len(nodes):
            return SKIP()
        node = nodes[int(position)]
        label = section_name(str(node.metadata.get("section") or ""), str(node.metadata.get("heading") or ""))
        return gr.update(value=present.section_text(node), label=f"Mục đang xem: {label}")

    def show_full(source: str | None) -> Any:
        return gr.update(value=assistant.library.full_texts.get(source or "", ""), label="Toàn văn")

    # A click on a card's title (chat.js writes its file name here) opens that document below.
    opened = gr.Textbox(show_label=False, label="Văn bản được bấm", elem_classes="store", elem_id="document-open")
    def open_card(request: str) -> Any:
        source = (request or "").partition("\n")[2]
        return gr.update(value=source) if source in assistant.library.documents else SKIP()

    opened.change(open_card, [opened], [pick], queue=False, **PRIVATE)
    pick.change(_show_document(assistant), [pick], [info, outline, text], **PRIVATE)
    outline.input(show_section, [pick, outline], [text], **PRIVATE)
    full.click(show_full, [pick], [text], **PRIVATE)
    return DocumentsTab(cards, pick, summary, info, outline, text)


def _upload_tab(assistant: PolicyAssistant, gate: SignInGate) -> Any:
    """Adding documents, for administrators only.

    gradio's `auth=` guards the whole app (and the API), which would lock staff out of the chat,
    so the sign-in lives inside this tab. `gate` checks the name and password (constant time,
    slower after each failure, a lockout after several, every failure logged) and issues a token
    that expires; the session's gr.State holds that token, never the name, and the upload handler
    asks the token store again before touching the corpus, so neither a forged value nor an old
    sign-in adds a document. Without ASSISTANT_ADMINS the tab does not exist. The file is chosen
    with an UploadButton (its label is ours; a drop zone speaks English). Returns the upload
    event, so the caller can refresh the document lists after it."""
    tokens = gate.tokens
    with gr.Tab("Thêm văn bản", id="upload"):
        admin = gr.State(None)  # the token; it expires in `tokens`, so the message can say so
        chosen = gr.State(None)
        with gr.Column(visible=True, elem_id="admin-sign-in") as sign_in:
            gr.Markdown("Chỉ quản trị viên được thêm văn bản vào chỉ mục. Hãy đăng nhập.")
            user = gr.Textbox(label="Tên đăng nhập", max_length=100, elem_id="admin-user")
            password = gr.Textbox(label="Mật khẩu", type="password", max_length=200, elem_id="admin-password")
            sign_in_button = gr.Button("Đăng nhập", variant="primary")
            sign_in_note = gr.Markdown()
        with gr.Column(visible=False, elem_id="admin-upload") as upload_area:
            who = gr.Markdown()
            gr.Markdown(
                "Tệp được kiểm tra trước (định dạng, nội dung rỗng hay hỏng, bảng mã cũ, trùng văn bản đã có) rồi mới "
                "đưa vào chỉ mục; chỉ phần mới được nhúng, các văn bản khác giữ nguyên."
            )
            upload = gr.UploadButton(
                "Chọn tệp văn bản (PDF, DOCX, MD, TXT)…", file_types=list(SUPPORTED_SUFFIXES), file_count="single",
                type="filepath", elem_id="upload-file",
            )
            chosen_note = gr.Markdown("Chưa chọn tệp nào.", elem_id="upload-chosen")
            add = gr.Button("Đưa vào chỉ mục", variant="primary")
            result = gr.Markdown(elem_id="upload-result", min_height=110, container=True)
            sign_out = gr.Button("Đăng xuất", size="md")

    def check(name: str, secret: str, request: gr.Request) -> tuple[Any, ...]:
        client = request.client.host if request.client else "?"
        result = gate.sign_in(name, secret, client=client)
        if not result.ok:
            return None, gr.update(), gr.update(), present.escape_markdown(result.message), "", ""
        who = f"Đã đăng nhập: **{present.escape_markdown(result.name or '')}**"
        return result.token, gr.update(visible=False), gr.update(visible=True), "", "", who

    def leave(token: str | None) -> tuple[Any, ...]:
        tokens.revoke(token)  # gradio's upload route closes with the last sign-in
        return None, gr.update(visible=True), gr.update(visible=False), "", None, "Chưa chọn tệp nào."

    def choose(path: str | None) -> tuple[Any, str]:
        if not path:
            return None, "Chưa chọn tệp nào."
        return path, f"Tệp đã chọn: **{present.escape_markdown(Path(path).name)}**"

    def add_document(path: str | None, token: str | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        if not token:
            raise gr.Error("Cần đăng nhập bằng tài khoản quản trị để thêm văn bản.", title="Chưa đăng nhập", print_exception=False)
        if tokens.holder(token) is None:
            raise gr.Error("Phiên quản trị đã hết hạn; hãy đăng nhập lại.", title="Chưa đăng nhập", print_exception=False)
        if not path:
            raise gr.Error("Hãy chọn một tệp PDF, DOCX, MD hoặc TXT.", title="Chưa chọn tệp")
        name = Path(path).name
        progress(0.0, desc=f"Kiểm tra {name}…")
        try:
            report = assistant.add_document(Path(path), progress=lambda fraction, message: progress(fraction, desc=message))
        except DocumentRejected as reason:
            gr.Warning(f"Không thêm được {name}.", title="Cảnh báo")
            return f"**Không thêm được {present.escape_markdown(name)}:** {present.escape_markdown(str(reason))}"
        return f"Đã thêm **{present.escape_markdown(name)}**.\n\n{present.escape_markdown(report.summary())}"

    sign_in_button.click(check, [user, password], [admin, sign_in, upload_area, sign_in_note, password, who], **PRIVATE)
    password.submit(check, [user, password], [admin, sign_in, upload_area, sign_in_note, password, who], **PRIVATE)
    sign_out.click(leave, [admin], [admin, sign_in, upload_area, result, chosen, chosen_note], queue=False, **PRIVATE)
    upload.upload(choose, [upload], [chosen, chosen_note], **PRIVATE)
    return add.click(add_document, [chosen, admin], [result], concurrency_limit=1, **PRIVATE)


def program_functions(demo: gr.Blocks) -> frozenset[int | str]:
    """The functions offered to programs (every event the page does not keep private: /chat,
    /feedback…), by fn index and by api name: with an API key set, they need it even from a
    caller holding the page's token (see assistant/present/access.py)."""
    offered = {index: fn for index, fn in demo.fns.items() if fn.api_visibility != "private"}
    return frozenset([*offered, *(str(fn.api_name) for fn in offered.values() if fn.api_name)])


def launch(demo: gr.Blocks, settings: Settings, tokens: AdminTokens, port: int | None = None, block: bool = True) -> tuple[Any, str, str]:
    """Serve with the safe defaults; tests call this with a free port and block=False. `tokens`
    are the ones `build_app` was given: gradio's upload route opens only while one is live."""
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    bounds = SessionBounds(settings.max_sessions_per_client)
    launched = demo.launch(
        server_name=settings.host,
        server_port=port if port is not None else settings.port,
        share=False,
        prevent_thread_lock=True,  # blocked below, once the session sweep is in place
        show_error=False,
        footer_links=[],  # "Use via API" and "Built with Gradio" are English; /chat and /feedback stay served
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        pwa=False,
        max_file_size=settings.document_limits.max_file_bytes,
        app_kwargs={"middleware": [*http_gates(settings, tokens, program_functions(demo)), session_gate(bounds)]},
        theme=THEME,
        # In <head> rather than css=: gradio would scope the rules under .gradio-container, and the
        # phone's source overlay and the print view need rules on <body>.
        head=f"<style>{CSS.read_text(encoding='utf-8')}</style><script>{HEAD.read_text(encoding='utf-8')}</script>",
        quiet=not block,
    )
    bound_gradio_sessions(demo, settings, bounds)
    if block:
        demo.block_thread()  # until Ctrl+C; then the server is closed
    return launched


def main() -> None:
    """Start the web chat; any failure to start ends in one Vietnamese line and an exit code."""
    try:
        settings = load_settings()
    except ConfigurationError as err:
        print(err, file=sys.stderr)  # names the variable, never its value
        sys.exit(2)  # as the CLI: bad input or configuration
    _server_log()
    for warning in exposure_warnings(settings):
        print("CẢNH BÁO:", warning, file=sys.stderr)
    try:
        serve(settings)
    except Exception as err:  # noqa: BLE001 - the same one-line explanations as the CLI
        from assistant.present.cli import explain_failure

        message, code = explain_failure(err, argparse.Namespace(command="app.py"), settings)
        print(message, file=sys.stderr)
        sys.exit(code)


def _server_log() -> None:
    """The operator's log on stderr, with the time: administrators' sign-ins, failures, lockouts
    and refused uploads or API calls (names and addresses, never passwords); other libraries
    only when something is wrong."""
    def handler(level: int) -> logging.Handler:
        out = logging.StreamHandler()
        out.setLevel(level)  # some libraries set their own loggers to DEBUG
        out.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        return out

    logging.basicConfig(level=logging.WARNING, handlers=[handler(logging.WARNING)])
    access = logging.getLogger("assistant.present.access")
    access.setLevel(logging.INFO)
    access.addHandler(handler(logging.INFO))
    access.propagate = False


def serve(settings: Settings) -> None:
    """The index ready (a damaged one rebuilt from the corpus, said on stderr), then the page;
    an address it cannot listen on is said before the page is built."""
    assistant = PolicyAssistant(settings)
    note = assistant.ensure_index()
    if note:
        print(note, file=sys.stderr)
    problem = listen_problem(settings.host, settings.port)
    if problem:
        raise ConfigurationError(f"app.py không khởi động được: {problem}.")
    tokens = AdminTokens(settings.admin_token_minutes)
    launch(build_app(assistant, tokens), settings, tokens)


if __name__ == "__main__":
    main()
