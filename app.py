"""Web chat for staff: ask, follow up, filter, read the sources, rate answers; admins add documents.

    python app.py            # builds the index first if there is none, then serves settings.host:port

Safe by default: listens on 127.0.0.1 unless ASSISTANT_HOST says otherwise, no share link, no
analytics, monitoring or run history, no web fonts from outside. Questions and documents reach
the page as text (see assistant/present.py). Everyone may chat; adding documents needs an
administrator (ASSISTANT_ADMINS) to sign in inside the "Thêm văn bản" tab (see `_upload_tab`).
"""

from __future__ import annotations

import hmac
from abc import ABCMeta
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings  # importing `assistant` switches telemetry off: before gradio

import gradio as gr  # noqa: E402  (after the assistant package, on purpose)
from gradio.components.chatbot import TextMessage  # noqa: E402

from assistant.present import views as present  # noqa: E402
from assistant.documents.naming import section_name  # noqa: E402
from assistant.present.chat import Filters, Turn, answer, last_context, prepare, rejected  # noqa: E402
from assistant.answering.engine import QuestionRejected  # noqa: E402
from assistant.present.feedback import FeedbackStore  # noqa: E402
from assistant.documents.load import SUPPORTED_SUFFIXES, DocumentRejected  # noqa: E402
from assistant.service import PolicyAssistant  # noqa: E402

TITLE = "Trợ lý chính sách"
THEME = gr.themes.Soft(
    primary_hue="blue",
    neutral_hue="slate",
    # Local fonts only: the default theme would ask Google Fonts for every page view.
    font=("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
    # Tables use the "mono" font; a sans one keeps Vietnamese tone marks well placed there.
    font_mono=("system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
)
CSS = """
.app-header h2 { margin-bottom: 0.1rem; }
.app-header p { margin-top: 0; color: var(--body-text-color-subdued); }
#admin-sign-in { max-width: 460px; }
#admin-upload { max-width: 820px; }
#source-text { max-height: 460px; overflow-y: auto; }
#source-text .textfield { display: block; line-height: 1.65; }
#source-text .token-container, #source-text .token { display: inline; word-break: normal; overflow-wrap: break-word; padding: 0; margin: 0; }
#source-text .token.highlighted { padding: 1px 0; border-radius: 2px; }
#source-text .line-break { display: block; height: 0.35rem; }
"""
SKIP = gr.skip


class _NoStub(type(gr.Chatbot)):  # type: ignore[misc]
    """gradio's component metaclass writes a `.pyi` stub beside the module of every Component
    subclass (it would write app.pyi); TextChatbot adds no events, so skip that step."""

    def __new__(mcls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        return ABCMeta.__new__(mcls, name, bases, attrs)


class TextChatbot(gr.Chatbot, metaclass=_NoStub):
    """A Chatbot whose *user* messages are shown literally.

    gr.Chatbot renders every message as Markdown/HTML, and ChatInterface puts the typed message
    in as it is, so `<b>x</b>` would show bold and `[a](b)` as a link. Escaping on the way to the
    browser and unescaping on the way back keeps the server-side history the exact text typed.
    Assistant messages are escaped where they are composed (assistant/present.py).
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


def _synced(turns: Sequence[dict[str, Any]] | None, history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turns matching the chat as shown: undo, retry and clear shorten the history."""
    asked = sum(1 for message in history if message.get("role") == "user")
    return list(turns or [])[:asked]


def _turn_of_message(history: Sequence[dict[str, Any]], index: int) -> int:
    """Which turn a chatbot message index belongs to (a turn: one user message and its replies)."""
    return max(0, sum(1 for message in history[: index + 1] if message.get("role") == "user") - 1)


def _reply(markdown: str) -> dict[str, Any]:
    return {"role": "assistant", "content": markdown}


def build_app(assistant: PolicyAssistant, warm: bool = True) -> gr.Blocks:
    settings = assistant.settings
    feedback = FeedbackStore(settings.feedback_db)
    admins = dict(settings.admins)
    library = assistant.library
    if warm:  # load the embedding model now, not on the first person's question
        try:
            assistant.engine.ask(present.EXAMPLES[0])
        except Exception:  # noqa: BLE001 — warming is best effort; the real question will report
            pass

    # ------------------------------------------------------------------ chat

    def respond(
        message: str, history: list[dict[str, Any]], documents: list[str] | None, provinces: list[str] | None,
        years: list[str] | None, turns: list[dict[str, Any]] | None,
    ) -> Iterator[tuple[list[dict[str, Any]], Any, Any]]:
        """Answer a question in the conversation, streaming the answer statement by statement.

        Returns the reply as chat messages (the answer in Markdown, then its numbered sources)
        and the citations [{n, source, title, section, quote, province, heading_path, node_id}].
        Follow-ups ("Còn Công an tỉnh thì sao?") are read in the light of the previous turn of
        the same session; documents / provinces / years restrict the search."""
        kept = _synced(turns, history)
        filters = Filters(list(documents or []), list(provinces or []), [str(y) for y in years or []])
        engine = assistant.engine
        try:
            prepared = prepare(engine, message, last_context(kept), filters)
        except QuestionRejected as reason:
            turn = rejected(message, str(reason), filters)
            yield [_reply(present.escape_markdown(str(reason)))], [], kept + [turn.as_dict()]
            return
        if prepared.understood_as:
            yield [_reply(present.understood_markdown(prepared.understood_as))], SKIP(), SKIP()
        turn = answer(engine, prepared, filters)
        final = ""
        for piece in present.stream_answer(turn.answer, turn.citations, turn.understood_as):
            final = piece
            yield [_reply(piece)], SKIP(), SKIP()
        yield present.answer_messages(final, turn.citations), turn.citations, kept + [turn.as_dict()]

    # ------------------------------------------------------------------ sources panel

    def show_turn(turns: list[dict[str, Any]], index: int) -> tuple[Any, ...]:
        if not turns or not 0 <= index < len(turns):
            return (index, gr.update(value=present.SOURCES_HINT), gr.update(choices=[], value=None, visible=False),
                    gr.update(value="", visible=False), gr.update(value=None, visible=False))
        turn = Turn.from_dict(turns[index])
        if not turn.citations:
            note = "Câu trả lời này không trích dẫn văn bản nào."
            return (index, gr.update(value=present.turn_hint(index, turn.question, note)), gr.update(choices=[], value=None, visible=False),
                    gr.update(value="", visible=False), gr.update(value=None, visible=False))
        choices = [(present.source_choice(c), str(c["n"])) for c in turn.citations]
        head, spans = present.source_view(assistant.library, turn.citations[0])
        return (index, gr.update(value=present.turn_hint(index, turn.question)), gr.update(choices=choices, value=choices[0][1], visible=True),
                gr.update(value=head, visible=True), gr.update(value=spans, visible=True))

    def show_latest(turns: list[dict[str, Any]]) -> tuple[Any, ...]:
        return show_turn(turns, len(turns or []) - 1)

    def show_selected(turns: list[dict[str, Any]], history: list[dict[str, Any]], event: gr.SelectData) -> tuple[Any, ...]:
        index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return show_turn(turns, _turn_of_message(history, int(index)))

    def show_source(turns: list[dict[str, Any]], index: int, n: str | None) -> tuple[Any, Any]:
        if not turns or not 0 <= index < len(turns) or not n:
            return SKIP(), SKIP()
        citation = next((c for c in turns[index].get("citations", []) if str(c.get("n")) == str(n)), None)
        if citation is None:
            return SKIP(), SKIP()
        head, spans = present.source_view(assistant.library, citation)
        return gr.update(value=head, visible=True), gr.update(value=spans, visible=True)

    # ------------------------------------------------------------------ feedback

    def record(turns: list[dict[str, Any]], index: int, rating: str, comment: str, ids: dict[str, int], session: str) -> tuple[int, dict[str, int]]:
        turn = Turn.from_dict(turns[index])
        ids = dict(ids or {})
        key = turn.id
        if key in ids and feedback.update(ids[key], rating=rating, comment=comment or None):  # type: ignore[arg-type]
            return ids[key], ids
        ids[key] = feedback.add(
            rating,  # type: ignore[arg-type]
            question=turn.question, answer=turn.answer, citations=turn.citations, filters=turn.filters, comment=comment,
            understood_as=turn.understood_as, build_id=turn.build_id, session=session,
        )
        return ids[key], ids

    def on_like(history: list[dict[str, Any]], turns: list[dict[str, Any]], ids: dict[str, int], event: gr.LikeData, request: gr.Request) -> tuple[Any, ...]:
        index = _turn_of_message(history, int(event.index if not isinstance(event.index, (list, tuple)) else event.index[0]))
        turns = _synced(turns, history)
        if not 0 <= index < len(turns):
            return SKIP(), ids, gr.update(visible=False), SKIP(), SKIP()
        ids = dict(ids or {})
        if event.liked not in (True, False, "Like", "Dislike"):  # the thumb was taken back
            key = str(turns[index].get("id"))
            if key in ids:
                feedback.delete(ids.pop(key))
            return None, ids, gr.update(visible=False), SKIP(), ""
        rating = "up" if event.liked in (True, "Like") else "down"
        feedback_id, ids = record(turns, index, rating, "", ids, request.session_hash or "")
        thanks = "Cảm ơn bạn đã đánh giá câu trả lời hữu ích." if rating == "up" else "Cảm ơn bạn đã báo câu trả lời chưa đúng."
        note = f"{thanks} Góp ý thêm cho câu trả lời số {index + 1} (không bắt buộc):"
        return feedback_id, ids, gr.update(visible=True), gr.update(value=note), ""

    def save_comment(comment: str, feedback_id: int | None) -> tuple[Any, Any]:
        if not feedback_id or not comment.strip():
            return gr.update(), SKIP()
        feedback.update(int(feedback_id), comment=comment)
        return gr.update(value="Đã lưu góp ý. Cảm ơn bạn!"), ""

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
        feedback_id, ids = record(turns, index, rating, comment or "", ids, request.session_hash or "")
        return f"Đã ghi nhận phản hồi #{feedback_id} cho câu trả lời số {index + 1}.", ids

    # ------------------------------------------------------------------ documents

    def library_updates() -> tuple[Any, ...]:
        lib = assistant.library
        documents = present.document_choices(lib)
        provinces = lib.provinces
        years = [str(y) for y in lib.years]
        # New sessions and API callers validate filter values against the components' own choices.
        documents_filter.choices, provinces_filter.choices, years_filter.choices = (
            [(label, value) for label, value in documents], [(p, p) for p in provinces], [(y, y) for y in years],
        )
        return (
            gr.update(choices=documents), gr.update(choices=provinces), gr.update(choices=years),
            gr.update(value=present.document_rows(lib)), gr.update(choices=documents), present.library_summary(lib),
        )

    def show_document(source: str | None) -> tuple[Any, ...]:
        lib = assistant.library
        entry = lib.documents.get(source or "")
        if entry is None:
            return "", gr.update(value=[]), gr.update(value="", label="Toàn văn")
        nodes = lib.sections_of(entry.source)
        return (present.document_markdown(entry), gr.update(value=present.outline_rows(nodes)),
                gr.update(value=lib.full_texts.get(entry.source, ""), label="Toàn văn"))

    def show_section(source: str | None, event: gr.SelectData) -> Any:
        lib = assistant.library
        nodes = lib.sections_of(source or "")
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if not nodes or not 0 <= int(row) < len(nodes):
            return SKIP()
        node = nodes[int(row)]
        label = section_name(str(node.metadata.get("section") or ""), str(node.metadata.get("heading") or ""))
        return gr.update(value=present.section_text(node), label=f"Mục đang xem: {label}")

    def show_full(source: str | None) -> Any:
        return gr.update(value=assistant.library.full_texts.get(source or "", ""), label="Toàn văn")

    # ------------------------------------------------------------------ layout

    choices = present.document_choices(library)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        turns = gr.State([])
        shown_turn = gr.State(-1)
        feedback_ids = gr.State({})
        pending_feedback = gr.State(None)
        gr.Markdown(
            f"## {TITLE} phòng, chống ma túy\n"
            "Hỏi về các văn bản trong chỉ mục. Mỗi câu trả lời trích nguyên văn và ghi nguồn [n]; "
            "khi không có văn bản nào nói tới, trợ lý nói rõ là không tìm thấy.",
            elem_classes="app-header",
        )
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                with gr.Row(equal_height=False):
                    chat_column = gr.Column(scale=3, min_width=420)
                    with gr.Column(scale=2, min_width=320):
                        new_chat = gr.Button("Cuộc trò chuyện mới", size="sm", elem_id="new-chat")
                        with gr.Accordion("Phạm vi tìm kiếm", open=False):
                            documents_filter = gr.Dropdown(choices=choices, value=[], multiselect=True, label="Văn bản", info="Để trống: tìm trong mọi văn bản.")
                            provinces_filter = gr.Dropdown(choices=library.provinces, value=[], multiselect=True, label="Tỉnh")
                            years_filter = gr.Dropdown(choices=[str(y) for y in library.years], value=[], multiselect=True, label="Năm")
                            filter_note = gr.Markdown(present.filter_summary(Filters(), library))
                        gr.Markdown("### Nguồn trích dẫn")
                        source_hint = gr.Markdown(present.SOURCES_HINT)
                        source_pick = gr.Dropdown(choices=[], label="Xem nguồn", info="Chọn một nguồn để đọc cả mục chứa đoạn trích.", visible=False, elem_id="source-pick")
                        source_head = gr.Markdown(visible=False)
                        source_text = gr.HighlightedText(
                            show_label=False, combine_adjacent=True, show_legend=False, show_inline_category=False,
                            color_map={present.QUOTE_LABEL: "#fde68a"}, visible=False, elem_id="source-text",
                        )
                        citations = gr.JSON(visible=False, label="Nguồn trích dẫn")
                with chat_column:
                    chatbot = TextChatbot(
                        show_label=False, height=560, resizable=True, latex_delimiters=[], buttons=["copy", "copy_all"],
                        placeholder="**Hỏi về văn bản chính sách** — chọn một câu hỏi mẫu hoặc nhập câu hỏi của bạn.",
                        elem_id="chatbot",
                    )
                    chat = gr.ChatInterface(
                        respond,
                        chatbot=chatbot,
                        textbox=gr.Textbox(placeholder="Nhập câu hỏi, ví dụ: Sở Y tế phải làm gì?", show_label=False, submit_btn=True, stop_btn=True, autofocus=True, elem_id="question"),
                        additional_inputs=[documents_filter, provinces_filter, years_filter, turns],
                        additional_outputs=[citations, turns],
                        examples=[[q] for q in present.EXAMPLES],
                        api_name="chat",
                        api_description="Hỏi trợ lý; trả về câu trả lời (Markdown) và danh sách nguồn trích dẫn.",
                        analytics_enabled=False,
                        fill_height=False,
                        concurrency_limit="default",
                    )
                    with gr.Column(visible=False, variant="panel", elem_id="feedback-box") as comment_box:
                        comment_note = gr.Markdown()
                        with gr.Row(equal_height=True):
                            comment = gr.Textbox(placeholder="Góp ý thêm (không bắt buộc)…", show_label=False, scale=4, max_length=2000, elem_id="feedback-comment")
                            comment_send = gr.Button("Gửi góp ý", scale=1, size="sm")

            with gr.Tab("Văn bản", id="documents"):
                documents_summary = gr.Markdown(present.library_summary(library))
                documents_table = gr.Dataframe(
                    value=present.document_rows(library), headers=present.DOCUMENT_COLUMNS, datatype="str",
                    interactive=False, wrap=True, max_height=360, show_label=False, column_widths=present.DOCUMENT_WIDTHS,
                    elem_id="documents-table",
                )
                document_pick = gr.Dropdown(choices=choices, value=choices[0][1] if choices else None, label="Đọc văn bản")
                document_info = gr.Markdown(elem_id="document-info")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=300):
                        outline = gr.Dataframe(
                            headers=["Mục", "Tiêu đề"], datatype="str", interactive=False, wrap=True, max_height=560,
                            label="Mục lục — bấm một mục để đọc riêng mục đó", column_widths=["30%", "70%"], elem_id="outline",
                        )
                    with gr.Column(scale=3, min_width=360):
                        document_text = gr.Textbox(label="Toàn văn", lines=24, max_lines=24, interactive=False, buttons=["copy"], elem_id="document-text")
                        full_text = gr.Button("Xem toàn văn", size="sm")

            if admins:
                upload_outputs = _upload_tab(assistant, admins)
            else:
                upload_outputs = None

        # Endpoints for scripts: /chat (above) and /feedback.
        api_rating = gr.Radio(choices=["up", "down"], value="up", visible=False, label="rating")
        api_comment = gr.Textbox(visible=False, label="comment")
        api_number = gr.Number(value=0, precision=0, visible=False, label="answer_number")
        api_result = gr.Textbox(visible=False, label="result")
        api_button = gr.Button(visible=False)

        # ------------------------------------------------------------------ events
        private: dict[str, Any] = {"api_visibility": "private"}
        panel = [shown_turn, source_hint, source_pick, source_head, source_text]
        turns.change(show_latest, [turns], panel, queue=False, **private)
        chatbot.select(show_selected, [turns, chatbot], panel, queue=False, **private)
        source_pick.input(show_source, [turns, shown_turn, source_pick], [source_head, source_text], queue=False, **private)
        for box in (documents_filter, provinces_filter, years_filter):
            box.change(lambda d, p, y: present.filter_summary(Filters(d or [], p or [], y or []), assistant.library),
                       [documents_filter, provinces_filter, years_filter], filter_note, queue=False, **private)

        def reset() -> tuple[Any, ...]:
            return ([], {}, None, gr.update(visible=False), "", *show_turn([], -1))

        cleared = [turns, feedback_ids, pending_feedback, comment_box, comment, *panel]
        new_chat.click(lambda: ([], [], *reset()), None, [chatbot, chat.chatbot_state, *cleared], queue=False, **private)
        chatbot.clear(reset, None, cleared, queue=False, **private)
        chatbot.like(on_like, [chatbot, turns, feedback_ids], [pending_feedback, feedback_ids, comment_box, comment_note, comment], **private)
        comment_send.click(save_comment, [comment, pending_feedback], [comment_note, comment], **private)
        comment.submit(save_comment, [comment, pending_feedback], [comment_note, comment], **private)
        api_button.click(api_feedback, [api_rating, api_comment, api_number, turns, feedback_ids], [api_result, feedback_ids], api_name="feedback")

        document_pick.change(show_document, [document_pick], [document_info, outline, document_text], **private)
        outline.select(show_section, [document_pick], [document_text], **private)
        full_text.click(show_full, [document_pick], [document_text], **private)
        library_outputs = [documents_filter, provinces_filter, years_filter, documents_table, document_pick, documents_summary]
        demo.load(library_updates, None, library_outputs, **private).then(show_document, [document_pick], [document_info, outline, document_text], **private)
        if upload_outputs is not None:
            upload_outputs.success(library_updates, None, library_outputs, **private)
    return demo


def _upload_tab(assistant: PolicyAssistant, admins: dict[str, str]) -> Any:
    """Adding documents, for administrators only.

    gradio's `auth=` guards the whole app (and the API), which would lock staff out of the chat,
    so the sign-in lives inside this tab: the name and password are checked against
    settings.admins in constant time, and the signed-in name is kept in a gr.State — held on the
    server for this browser session, never taken from the client — which the upload handler
    checks again before touching the corpus. Without ASSISTANT_ADMINS the tab does not exist.
    Returns the upload event, so the caller can refresh the document lists after it."""
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Tab("Thêm văn bản", id="upload"):
        admin = gr.State(None)
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
            upload = gr.File(
                label="Tệp văn bản (PDF, DOCX, MD, TXT)", file_types=list(SUPPORTED_SUFFIXES), file_count="single",
                type="filepath", elem_id="upload-file",
            )
            add = gr.Button("Đưa vào chỉ mục", variant="primary")
            result = gr.Markdown(elem_id="upload-result", min_height=110, container=True)
            sign_out = gr.Button("Đăng xuất", size="sm")

    def check(name: str, secret: str) -> tuple[Any, ...]:
        expected = admins.get(name or "")
        # Compare even for unknown names so the time taken does not reveal which names exist.
        ok = hmac.compare_digest((secret or "").encode(), (expected or "\0" * 32).encode()) and expected is not None
        if not ok:
            time.sleep(1.0)  # slows password guessing
            return None, gr.update(), gr.update(), "Sai tên đăng nhập hoặc mật khẩu.", "", ""
        return name, gr.update(visible=False), gr.update(visible=True), "", "", f"Đã đăng nhập: **{present.escape_markdown(name)}**"

    def leave() -> tuple[Any, ...]:
        return None, gr.update(visible=True), gr.update(visible=False), ""

    def add_document(path: str | None, signed_in: str | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        if not signed_in or signed_in not in admins:
            raise gr.Error("Cần đăng nhập bằng tài khoản quản trị để thêm văn bản.")
        if not path:
            raise gr.Error("Hãy chọn một tệp PDF, DOCX, MD hoặc TXT.")
        name = Path(path).name
        progress(0.0, desc=f"Kiểm tra {name}…")
        try:
            report = assistant.add_document(Path(path), progress=lambda fraction, message: progress(fraction, desc=message))
        except DocumentRejected as reason:
            gr.Warning(f"Không thêm được {name}.")
            return f"**Không thêm được {present.escape_markdown(name)}:** {present.escape_markdown(str(reason))}"
        return f"Đã thêm **{present.escape_markdown(name)}**.\n\n{present.escape_markdown(report.summary())}"

    sign_in_button.click(check, [user, password], [admin, sign_in, upload_area, sign_in_note, password, who], **private)
    password.submit(check, [user, password], [admin, sign_in, upload_area, sign_in_note, password, who], **private)
    sign_out.click(leave, None, [admin, sign_in, upload_area, result], queue=False, **private)
    return add.click(add_document, [upload, admin], [result], concurrency_limit=1, **private)


def launch(demo: gr.Blocks, settings: Settings, port: int | None = None, block: bool = True) -> tuple[Any, str, str]:
    """Serve with the safe defaults; tests call this with a free port and block=False."""
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=200)
    return demo.launch(
        server_name=settings.host,
        server_port=port if port is not None else settings.port,
        share=False,
        prevent_thread_lock=not block,
        show_error=False,
        footer_links=["api"],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        pwa=False,
        max_file_size="50mb",
        theme=THEME,
        css=CSS,
        quiet=not block,
    )


def main() -> None:
    settings = Settings()
    assistant = PolicyAssistant(settings)
    assistant.ensure_index()
    launch(build_app(assistant), settings)


if __name__ == "__main__":
    main()
