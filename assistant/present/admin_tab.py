"""The administrators' tab "Quản trị": the review queue, the approved answers and the usage
figures, behind the same sign-in as "Thêm văn bản".

Every handler asks the token store again before it reads or changes anything, so neither a
forged state value nor an expired sign-in sees a question or approves an answer. Questions
never leave the server except as the CSV files an administrator downloads. Corrections are
composed only of passages picked from the indexed documents: a document, one of its sections,
and a quote the server checks is the document's own words.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
import time
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant.documents.naming import section_name
from assistant.present import views as present
from assistant.present.access import SignInGate
from assistant.present.approved import ApprovalRefused, ApprovedStore, Passage
from assistant.present.feedback import FeedbackStore
from assistant.present.review import DECISION_NAMES, KIND_NAMES, Decision, ReviewQueue
from assistant.present.usage import export_csv as usage_csv
from assistant.present.usage import usage

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
QUEUE_HEADERS = ["Nhóm", "Câu hỏi", "Số lần", "Từ chối", "Chưa đúng", "Yếu", "Đã rút", "Văn bản", "Góp ý"]  # kinds as in KIND_NAMES
APPROVED_HEADERS = ["Số", "Câu hỏi", "Số đoạn trích", "Ngày duyệt", "Người duyệt", "Trạng thái", "Lý do rút"]
DOWNLOADS = Path(tempfile.gettempdir()) / "tro-ly-quan-tri"


def _download(name: str) -> Path:
    """A fresh file for a download (removed after an hour, like the chat's exports)."""
    DOWNLOADS.mkdir(mode=0o700, exist_ok=True)
    for old in DOWNLOADS.iterdir():
        if old.stat().st_mtime < time.time() - 3600:
            old.unlink(missing_ok=True)
    folder = Path(tempfile.mkdtemp(dir=DOWNLOADS))
    return folder / name


def admin_tab(assistant: Any, feedback: FeedbackStore, gate: SignInGate) -> None:
    settings = assistant.settings
    tokens = gate.tokens
    queue = ReviewQueue(feedback, assistant.embed_model, settings.review_group_similarity)
    approved = ApprovedStore(feedback)

    def holder(token: str | None) -> str:
        name = tokens.holder(token) if token else None
        if name is None:
            raise gr.Error("Cần đăng nhập bằng tài khoản quản trị (phiên có thể đã hết hạn).", title="Chưa đăng nhập", print_exception=False)
        return name

    with gr.Tab("Quản trị", id="admin"):
        admin = gr.State(None)
        shown = gr.State({})  # group number → its questions, as last shown
        picked = gr.State([])  # passages of the correction being composed
        with gr.Column(visible=True, elem_id="review-sign-in") as sign_in:
            gr.Markdown("Hàng đợi xem xét, câu trả lời đã duyệt và thống kê sử dụng chỉ dành cho quản trị viên. Hãy đăng nhập.")
            user = gr.Textbox(label="Tên đăng nhập", max_length=100, elem_id="review-user")
            password = gr.Textbox(label="Mật khẩu", type="password", max_length=200, elem_id="review-password")
            sign_in_button = gr.Button("Đăng nhập", variant="primary", elem_id="review-sign-in-button")
            sign_in_note = gr.Markdown()
        with gr.Column(visible=False, elem_id="review-area") as area:
            with gr.Row():
                who = gr.Markdown()
                sign_out = gr.Button("Đăng xuất", size="sm", scale=0, min_width=100)
            with gr.Tabs():
                with gr.Tab("Hàng đợi xem xét", id="review-queue"):
                    gr.Markdown("Câu hỏi bị từ chối, câu trả lời bị báo “Chưa đúng”, câu trả lời bằng chứng yếu và câu trả lời đã duyệt bị rút, "
                                "gộp theo câu hỏi giống nhau.")
                    refresh = gr.Button("Tải lại hàng đợi", size="sm", elem_id="review-refresh")
                    table = gr.Dataframe(headers=QUEUE_HEADERS, interactive=False, wrap=True, elem_id="review-table")
                    group_pick = gr.Dropdown(choices=[], label="Nhóm câu hỏi", elem_id="review-group")
                    detail = gr.Markdown(elem_id="review-detail")
                    note = gr.Textbox(label="Ghi chú của quản trị viên (không bắt buộc, hiện như ghi chú, không phải trích dẫn)", max_length=500,
                                      elem_id="review-note")
                    with gr.Row():
                        approve = gr.Button("Duyệt câu trả lời đã đưa", variant="primary", elem_id="review-approve")
                        out_of_scope = gr.Button("Ngoài phạm vi", elem_id="review-out-of-scope")
                        dismiss = gr.Button("Bỏ qua", elem_id="review-dismiss")
                    with gr.Accordion("Sửa: soạn câu trả lời từ đoạn văn bản", open=False, elem_id="review-correct"):
                        document = gr.Dropdown(choices=present.document_choices(assistant.library), label="Văn bản", elem_id="review-document")
                        section = gr.Dropdown(choices=[], label="Mục", elem_id="review-section")
                        quote = gr.Textbox(label="Đoạn trích (xóa bớt cho còn đúng phần cần trích; không sửa chữ)", lines=6,
                                           elem_id="review-quote")
                        add = gr.Button("Thêm đoạn trích", elem_id="review-add-passage")
                        picked_view = gr.Markdown("Chưa chọn đoạn nào.", elem_id="review-picked")
                        with gr.Row():
                            clear = gr.Button("Bỏ các đoạn đã chọn", size="sm")
                            correct = gr.Button("Duyệt câu trả lời đã sửa", variant="primary", elem_id="review-save-correction")
                    result = gr.Markdown(elem_id="review-result")
                    queue_csv = gr.Button("Tải hàng đợi (CSV)", size="sm")
                    queue_file = gr.File(label="Tệp CSV", visible=False, interactive=False)
                with gr.Tab("Câu trả lời đã duyệt", id="approved"):
                    approved_refresh = gr.Button("Tải lại", size="sm")
                    approved_table = gr.Dataframe(headers=APPROVED_HEADERS, interactive=False, wrap=True, elem_id="approved-table")
                    with gr.Row():
                        withdraw_pick = gr.Dropdown(choices=[], label="Câu trả lời", scale=3)
                        withdraw = gr.Button("Rút câu trả lời", variant="stop", scale=1)
                    with gr.Row():
                        export = gr.Button("Xuất JSON", size="sm")
                        import_file = gr.UploadButton("Nhập JSON…", file_types=[".json"], size="sm")
                    approved_note = gr.Markdown()
                    approved_file = gr.File(label="Tệp JSON", visible=False, interactive=False)
                with gr.Tab("Thống kê sử dụng", id="usage"):
                    usage_refresh = gr.Button("Tải lại thống kê", size="sm", elem_id="usage-refresh")
                    summary = gr.Dataframe(headers=["Chỉ số", "Giá trị"], interactive=False, elem_id="usage-summary")
                    with gr.Row():
                        per_day = gr.LinePlot(x="Ngày", y="Số câu hỏi", title="Câu hỏi mỗi ngày", elem_id="usage-day")
                        per_week = gr.BarPlot(x="Tuần", y="Số câu hỏi", title="Câu hỏi mỗi tuần", elem_id="usage-week")
                    with gr.Row():
                        bodies = gr.BarPlot(x="Cơ quan", y="Số câu hỏi", title="Cơ quan được hỏi nhiều nhất", elem_id="usage-bodies")
                        documents = gr.BarPlot(x="Văn bản", y="Số câu hỏi", title="Văn bản được hỏi nhiều nhất", elem_id="usage-documents")
                    usage_download = gr.Button("Tải thống kê (CSV)", size="sm")
                    usage_file = gr.File(label="Tệp CSV", visible=False, interactive=False)

    # ---------------------------------------------------------------- sign-in

    def check(name: str, secret: str, request: gr.Request) -> tuple[Any, ...]:
        client = request.client.host if request.client else "?"
        outcome = gate.sign_in(name, secret, client=client)
        if not outcome.ok:
            return None, gr.update(), gr.update(), present.escape_markdown(outcome.message), ""
        return outcome.token, gr.update(visible=False), gr.update(visible=True), "", ""

    def leave(token: str | None) -> tuple[Any, ...]:
        tokens.revoke(token)
        return None, gr.update(visible=True), gr.update(visible=False), {}, []

    # ---------------------------------------------------------------- queue

    def show_queue(token: str | None) -> tuple[Any, ...]:
        name = holder(token)
        groups = queue.groups()
        rows = [row[:len(QUEUE_HEADERS)] for row in queue.rows(groups)]
        choices = [(f"{g.number}. {g.question[:90]} ({g.count})", str(g.number)) for g in groups]
        first = str(groups[0].number) if groups else None
        return (f"Đã đăng nhập: **{present.escape_markdown(name)}**", pd.DataFrame(rows, columns=QUEUE_HEADERS),
                gr.update(choices=choices, value=first), {str(g.number): g.questions for g in groups},
                _group_markdown(groups[0]) if groups else "Hàng đợi trống.")

    def _group_markdown(group: Any) -> str:
        counts = group.counts()
        lines = [f"**{present.escape_markdown(group.question)}** — hỏi {group.count} lần "
                 f"({', '.join(f'{KIND_NAMES[k]}: {n}' for k, n in counts.items())}), lần cuối {group.last[:16].replace('T', ' ')}."]
        if len(group.questions) > 1:
            lines.append("Các cách hỏi: " + "; ".join(f"“{present.escape_markdown(q)}”" for q in group.questions[:8]))
        documents = group.documents()
        if documents:
            titles = assistant.library.documents
            lines.append("Văn bản liên quan: " + "; ".join(
                present.escape_markdown(titles[s].title if s in titles else s) + f" ({n})" for s, n in documents[:6]))
        for comment in group.comments()[:5]:
            lines.append(f"Góp ý: {present.escape_markdown(comment)}")
        cited = group.latest_citations()
        if cited:
            lines.append("Câu trả lời đã đưa trích: " + "; ".join(
                present.escape_markdown(f"{c.get('title')}, {section_name(str(c.get('section') or ''), '')}") for c in cited[:5]))
        else:
            lines.append("Câu trả lời đã đưa không trích đoạn nào: dùng “Sửa” để chọn đoạn từ văn bản.")
        return "\n\n".join(lines)

    def show_group(token: str | None, number: str | None, groups: dict[str, list[str]]) -> str:
        holder(token)
        group = queue.group_of(groups.get(number or "", []))
        return _group_markdown(group) if group else "Nhóm này đã được xử lý."

    def current(number: str | None, groups: dict[str, list[str]]) -> Any:
        group = queue.group_of(groups.get(number or "", []))
        if group is None:
            raise gr.Error("Hãy chọn một nhóm câu hỏi còn trong hàng đợi (bấm “Tải lại hàng đợi”).", title="Chưa chọn nhóm", print_exception=False)
        return group

    def decide(decision: Decision) -> Any:
        def run(token: str | None, number: str | None, groups: dict[str, list[str]]) -> tuple[Any, ...]:
            name = holder(token)
            group = current(number, groups)
            queue.decide(group, decision, name)
            return (f"Đã đánh dấu nhóm “{present.escape_markdown(group.question)}”: {DECISION_NAMES[decision]}.", *show_queue(token)[1:])
        return run

    def approve_group(token: str | None, number: str | None, groups: dict[str, list[str]], text: str) -> tuple[Any, ...]:
        name = holder(token)
        group = current(number, groups)
        try:
            answer = queue.approve(group, assistant.library, name, text or "")
        except ApprovalRefused as reason:
            raise gr.Error(str(reason), title="Chưa duyệt", print_exception=False) from None
        return (f"Đã duyệt câu trả lời số {answer.id} ({len(answer.passages)} đoạn trích) cho “{present.escape_markdown(group.question)}”.",
                *show_queue(token)[1:])

    def choose_document(token: str | None, source: str | None) -> tuple[Any, Any]:
        holder(token)
        nodes = assistant.library.sections_of(source or "")
        choices = [(section_name(str(n.metadata.get("section") or ""), str(n.metadata.get("heading") or "")) or f"Đoạn {i + 1}", n.node_id)
                   for i, n in enumerate(nodes)]
        return gr.update(choices=choices, value=None), ""

    def choose_section(token: str | None, node_id: str | None) -> str:
        holder(token)
        node = assistant.library.nodes.get(node_id or "")
        return node.get_content() if node is not None else ""

    def passages_markdown(chosen: list[dict[str, Any]]) -> str:
        if not chosen:
            return "Chưa chọn đoạn nào."
        return "\n".join(f"{i}. {present.escape_markdown(p['title'])}, {present.escape_markdown(section_name(p['section'], '') or '')}: "
                         f"“{present.escape_markdown(p['quote'][:300])}”" for i, p in enumerate(chosen, start=1))

    def add_passage(token: str | None, source: str | None, node_id: str | None, text: str, chosen: list[dict[str, Any]]) -> tuple[Any, ...]:
        holder(token)
        node = assistant.library.nodes.get(node_id or "")
        try:
            passage = Passage.picked(assistant.library, source or "", text or "", str(node.metadata.get("section") or "") if node else "",
                                     node_id or "")
        except ApprovalRefused as reason:
            raise gr.Error(str(reason), title="Chưa thêm đoạn trích", print_exception=False) from None
        chosen = [*(chosen or []), asdict(passage)]
        return chosen, passages_markdown(chosen)

    def save_correction(token: str | None, number: str | None, groups: dict[str, list[str]], chosen: list[dict[str, Any]], text: str) -> tuple[Any, ...]:
        name = holder(token)
        group = current(number, groups)
        try:
            answer = queue.correct(group, assistant.library, [Passage(**p) for p in chosen or []], name, text or "")
        except ApprovalRefused as reason:
            raise gr.Error(str(reason), title="Chưa duyệt", print_exception=False) from None
        message = f"Đã duyệt câu trả lời đã sửa số {answer.id} ({len(answer.passages)} đoạn trích) cho “{present.escape_markdown(group.question)}”."
        return (message, *show_queue(token)[1:], [], passages_markdown([]))

    def download_queue(token: str | None) -> Any:
        holder(token)
        out = _download("hang-doi-xem-xet.csv")
        queue.export_csv(out)
        return gr.update(value=str(out), visible=True)

    # ---------------------------------------------------------------- approved answers

    def show_approved(token: str | None) -> tuple[Any, Any]:
        holder(token)
        approved.check(assistant.library)
        answers = approved.all()
        rows = [[a.id, " | ".join(a.questions), len(a.passages), a.approved_date, a.approved_by,
                 "đang dùng" if a.status == "active" else "đã rút", a.withdrawn_reason] for a in answers]
        choices = [(f"{a.id}. {a.questions[0][:90]}", str(a.id)) for a in answers if a.status == "active"]
        return pd.DataFrame(rows, columns=APPROVED_HEADERS), gr.update(choices=choices, value=None)

    def withdraw_answer(token: str | None, answer_id: str | None) -> tuple[Any, ...]:
        name = holder(token)
        if not answer_id or not approved.withdraw(int(answer_id), f"Quản trị viên {name} rút."):
            raise gr.Error("Hãy chọn một câu trả lời đang dùng.", title="Chưa rút", print_exception=False)
        return (f"Đã rút câu trả lời số {answer_id}.", *show_approved(token))

    def export_approved(token: str | None) -> Any:
        holder(token)
        out = _download("cau-tra-loi-da-duyet.json")
        approved.export_json(out)
        return gr.update(value=str(out), visible=True)

    def import_approved(token: str | None, path: str | None) -> tuple[Any, ...]:
        name = holder(token)
        if not path:
            return ("Chưa chọn tệp.", *show_approved(token))
        try:
            added, refused = approved.import_json(Path(path), assistant.library, name)
        except ApprovalRefused as reason:
            return (f"**Không nhập được:** {present.escape_markdown(str(reason))}", *show_approved(token))
        lines = [f"Đã nhập {added} câu trả lời."] + [f"- {present.escape_markdown(r)}" for r in refused]
        return ("\n".join(lines), *show_approved(token))

    # ---------------------------------------------------------------- usage

    def show_usage(token: str | None) -> tuple[Any, ...]:
        holder(token)
        titles = {s: e.title for s, e in assistant.library.documents.items()}
        figures = usage(feedback, titles)
        return (
            pd.DataFrame(figures.summary(), columns=["Chỉ số", "Giá trị"]),
            pd.DataFrame({"Ngày": pd.to_datetime([d for d, _ in figures.per_day]), "Số câu hỏi": [n for _, n in figures.per_day]}),
            pd.DataFrame(figures.per_week, columns=["Tuần", "Số câu hỏi"]),
            pd.DataFrame(figures.bodies, columns=["Cơ quan", "Số câu hỏi"]),
            pd.DataFrame([(t[:60], n) for t, n in figures.documents], columns=["Văn bản", "Số câu hỏi"]),
        )

    def download_usage(token: str | None) -> Any:
        holder(token)
        titles = {s: e.title for s, e in assistant.library.documents.items()}
        out = usage_csv(usage(feedback, titles), _download("thong-ke-su-dung.csv"))
        return gr.update(value=str(out), visible=True)

    # ---------------------------------------------------------------- wiring

    queue_outputs = [who, table, group_pick, shown, detail]
    usage_outputs = [summary, per_day, per_week, bodies, documents]
    signed = [admin, sign_in, area, sign_in_note, password]
    def after_sign_in(token: str | None) -> tuple[Any, ...]:
        if not token:  # the attempt failed: its message is shown, nothing else changes
            return tuple(gr.skip() for _ in range(len(queue_outputs) + 2 + len(usage_outputs)))
        return (*show_queue(token), *show_approved(token), *show_usage(token))

    for trigger in (sign_in_button.click, password.submit):
        trigger(check, [user, password], signed, **PRIVATE).then(
            after_sign_in, [admin], [*queue_outputs, approved_table, withdraw_pick, *usage_outputs], **PRIVATE)
    sign_out.click(leave, [admin], [admin, sign_in, area, shown, picked], queue=False, **PRIVATE)
    refresh.click(show_queue, [admin], queue_outputs, **PRIVATE)
    group_pick.input(show_group, [admin, group_pick, shown], [detail], **PRIVATE)
    approve.click(approve_group, [admin, group_pick, shown, note], [result, *queue_outputs[1:]], **PRIVATE)
    out_of_scope.click(decide("out_of_scope"), [admin, group_pick, shown], [result, *queue_outputs[1:]], **PRIVATE)
    dismiss.click(decide("dismissed"), [admin, group_pick, shown], [result, *queue_outputs[1:]], **PRIVATE)
    document.input(choose_document, [admin, document], [section, quote], **PRIVATE)
    section.input(choose_section, [admin, section], [quote], **PRIVATE)
    add.click(add_passage, [admin, document, section, quote, picked], [picked, picked_view], **PRIVATE)
    clear.click(lambda: ([], passages_markdown([])), None, [picked, picked_view], queue=False, **PRIVATE)
    correct.click(save_correction, [admin, group_pick, shown, picked, note], [result, *queue_outputs[1:], picked, picked_view], **PRIVATE)
    queue_csv.click(download_queue, [admin], [queue_file], **PRIVATE)
    approved_refresh.click(show_approved, [admin], [approved_table, withdraw_pick], **PRIVATE)
    withdraw.click(withdraw_answer, [admin, withdraw_pick], [approved_note, approved_table, withdraw_pick], **PRIVATE)
    export.click(export_approved, [admin], [approved_file], **PRIVATE)
    import_file.upload(import_approved, [admin, import_file], [approved_note, approved_table, withdraw_pick], **PRIVATE)
    usage_refresh.click(show_usage, [admin], usage_outputs, **PRIVATE)
    usage_download.click(download_usage, [admin], [usage_file], **PRIVATE)
