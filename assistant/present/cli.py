"""Stage 6, present (terminal): `assistant ask | ingest | info | cache | eval | bench | feedback export | matrix | deadlines | approved | review`."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from llama_index.core.base.response.schema import Response

from assistant.config import Settings, load_settings
from assistant.documents.naming import cited_document, section_name
from assistant.present.responsibility_cli import add_commands as add_responsibility_commands

log = logging.getLogger(__name__)


def response_json(question: str, response: Response) -> dict[str, Any]:
    meta = response.metadata or {}
    return {
        "question": question,
        "answer": response.response,
        "abstained": bool(meta.get("abstained")),
        "understood_as": meta.get("understood_as"),
        "citations": meta.get("citations", []),
        "timings_ms": meta.get("timings_ms", {}),
    }


def rejected_json(question: str, message: str) -> dict[str, Any]:
    return {"question": question, "answer": message, "abstained": True, "error": message, "citations": [], "timings_ms": {}}


def format_text(response: Response) -> str:
    meta = response.metadata or {}
    lines = []
    if meta.get("understood_as"):
        lines.append(f"Câu hỏi được hiểu là: {meta['understood_as']}\n")
    lines.append(response.response or "")
    citations = meta.get("citations", [])
    if citations:
        lines.append("\nNguồn trích dẫn:")
        for c in citations:
            lines.append(f"[{c['n']}] {cited_document({**c, 'province': ''})} ({c['source']}), {section_name(c['section'])}:\n    “{c['quote']}”")
    return "\n".join(lines)


def _refusal_types() -> tuple[type[Exception], ...]:
    from assistant.answering.engine import QuestionRejected
    from assistant.query.nonsense import NotAQuestion

    return QuestionRejected, NotAQuestion


def _ready_engine(settings: Settings) -> Any:
    from assistant.service import PolicyAssistant

    assistant = PolicyAssistant(settings)
    note = assistant.ensure_index(show_progress=sys.stderr.isatty())
    if note:
        print(note, file=sys.stderr)
    return assistant.engine


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    refused = _refusal_types()
    engine = _ready_engine(settings)
    if args.jsonl:
        return _ask_jsonl(args.jsonl, engine, settings)
    question = " ".join(args.question)
    try:
        response = engine.ask(question)
    except refused as rejected:
        if args.json:
            _write(json.dumps(rejected_json(question, str(rejected)), ensure_ascii=False))
        else:
            print(rejected, file=sys.stderr)
        return 2
    if args.json:
        _write(json.dumps(response_json(question, response), ensure_ascii=False, indent=1))
    else:
        _write(format_text(response))
    return 0


def _write(text: str) -> None:
    """UTF-8 whatever the terminal's locale says: the answers are Vietnamese."""
    sys.stdout.buffer.write(text.encode("utf-8", errors="replace") + b"\n")  # a stray surrogate becomes "?", never a crash
    sys.stdout.flush()


def jsonl_lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, raw line) for every line of `stream`, blank ones included; None for a line
    longer than `max_bytes` (read past, never held whole)."""
    number = 0
    while True:
        chunk = stream.readline(max_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = stream.readline(1 << 20)
            yield number, None
            continue
        yield number, chunk.rstrip(b"\r\n")


def jsonl_question(line_no: int, raw: bytes | None, max_chars: int) -> str:
    """The question on one JSONL line, or `ValueError` with the Vietnamese reason."""
    if raw is None:
        raise ValueError(f"Dòng {line_no} dài quá {max_chars:,} ký tự cho phép của một câu hỏi.")
    if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the BOM some editors put at the start of a UTF-8 file
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"Dòng {line_no} không phải văn bản UTF-8 hợp lệ.") from None
    if not text.strip():
        raise ValueError(f"Dòng {line_no} trống.")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"Dòng {line_no} không phải JSON ({err.msg}, cột {err.colno}).") from None
    except RecursionError:  # "[[[[…" thousands deep: the parser's stack, not the process, gives up
        raise ValueError(f"Dòng {line_no} lồng quá nhiều cấp ngoặc, không phải một câu hỏi.") from None
    if not isinstance(record, dict) or "question" not in record:
        raise ValueError(f"Dòng {line_no} thiếu khóa \"question\".")
    question = record["question"]
    if not isinstance(question, str):
        raise ValueError(f"Dòng {line_no}: \"question\" phải là một chuỗi văn bản, không phải {json.dumps(question)[:20]}.")
    if not is_text(question):
        raise ValueError(f"Dòng {line_no}: câu hỏi chứa mã \\uD800–\\uDFFF lẻ (nửa cặp UTF-16), không phải ký tự văn bản.")
    return question


def is_text(value: str) -> bool:
    """False for a string holding a lone surrogate ("\\ud800" in JSON): valid JSON, yet no
    character, and it cannot be written as UTF-8, searched or stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ask_jsonl(source: str, engine: Any, settings: Settings) -> int:
    """Exactly one output line per input line, in order: an answer, a refusal or an error object.
    Exit code 0 when every line got its output line (bad lines are reported in theirs)."""
    refused = _refusal_types()
    stream: BinaryIO = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    max_bytes = 4 * settings.max_question_chars + 1024  # room for JSON around the longest question
    with stream:
        for line_no, raw in jsonl_lines(stream, max_bytes):
            try:
                question = jsonl_question(line_no, raw, settings.max_question_chars)
            except ValueError as bad:
                out: dict[str, Any] = {"line": line_no, **rejected_json("", str(bad))}
            else:
                try:
                    out = {"line": line_no, **response_json(question, engine.ask(question))}
                except refused as rejected:
                    out = {"line": line_no, **rejected_json(question, str(rejected))}
                except Exception as err:  # noqa: BLE001 - one failing question must not cost the others
                    log.exception("question on line %d failed", line_no)
                    out = {"line": line_no, **rejected_json(question, f"Lỗi khi trả lời: {type(err).__name__}: {str(err)[:200]}")}
            try:
                line = json.dumps(out, ensure_ascii=False)
            except (ValueError, RecursionError) as err:  # whatever the answer held, the line still gets its output
                line = json.dumps({"line": line_no, **rejected_json("", f"Lỗi khi ghi kết quả: {type(err).__name__}")}, ensure_ascii=False)
            _write(line)
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service import PolicyAssistant

    paths = [Path(p) for p in args.paths] or None
    assistant = PolicyAssistant(settings)
    if args.rebuild:
        report = assistant.rebuild(show_progress=True)
    else:
        report = assistant.ingest(paths, show_progress=True, replace=args.replace)
    _write(report.summary())
    _write(f"Thời gian: {report.seconds:.1f} s")
    return 1 if report.rejected else 0


def _cache_line(settings: Settings) -> str:
    from assistant.index.embedding_cache import EmbeddingCache

    count, size = EmbeddingCache(settings.embedding_cache).stats()
    return f"Bộ nhớ đệm vector: {count} vector, {size / 2**20:.1f} MB ({settings.embedding_cache})"


def _info(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.store import IndexStore

    manifest = IndexStore(settings).current_manifest()  # IndexDamaged names the fix (see main)
    if manifest is None:
        print("Chưa có chỉ mục. Chạy: assistant ingest", file=sys.stderr)
        print(_cache_line(settings), file=sys.stderr)
        return 1
    from assistant.documents.validity import status_line, supersessions
    from assistant.index.library import document_entries

    entries = document_entries(manifest)
    ended = supersessions(entries)
    documents = []
    for source, entry in entries.items():
        record = {k: v for k, v in manifest.documents[source].items() if k not in ("node_ids", "embed_keys", "pipeline", "relations", "line_emphasis")}
        record |= {"source": source, "name": entry.label, "relations": entry.relations,
                   "status": [status_line(entry, s, entries[s.by]) for s in ended.get(source, [])] or ["không văn bản nào trong chỉ mục thay thế, bãi bỏ hay chấm dứt hiệu lực văn bản này"]}
        documents.append(record)
    if args.json:
        _write(json.dumps({"build": manifest.build_id, "embed_model": manifest.embed_model, "documents": documents}, ensure_ascii=False, indent=1))
        return 0
    _write(f"Chỉ mục {manifest.build_id} — mô hình nhúng: {manifest.embed_model}")
    _write(_cache_line(settings))
    labels = (("name", "Tên"), ("title", "Tiêu đề"), ("doc_type", "Loại"), ("number", "Số"), ("issuer", "Cơ quan ban hành"), ("level", "Cấp"),
              ("province", "Tỉnh"), ("date", "Ngày ban hành"), ("place", "Nơi ban hành"), ("signer", "Người ký"),
              ("signer_title", "Chức danh ký"), ("effective_date", "Hiệu lực từ"))
    levels = {"national": "trung ương", "province": "tỉnh", "district": "huyện"}
    verbs = {"ceases": "chấm dứt hiệu lực", "ceases-part": "chấm dứt hiệu lực một phần", "replaces": "thay thế",
             "repeals": "bãi bỏ", "repeals-part": "bãi bỏ một phần", "amends": "sửa đổi, bổ sung", "replaces-part": "thay thế một phần"}
    for doc in documents:
        _write(f"\n{doc['source']}  ({doc['node_count']} đoạn)")
        for key, label in labels:
            if doc.get(key):
                _write(f"  {label}: {levels.get(doc[key], doc[key]) if key == 'level' else doc[key]}")
        for relation in doc["relations"]:
            when = f" từ {relation['when']}" if relation.get("when") else ""
            _write(f"  Văn bản này {verbs.get(relation['relation'], relation['relation'])}: {relation['kind']} {relation['number']}{when}")
        for line in doc["status"]:
            _write(f"  Tình trạng: {line}")
    return 0


def _cache(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.embedding_cache import EmbeddingCache

    if args.cache_command == "clear":
        removed = EmbeddingCache(settings.embedding_cache).clear()
        print(f"Đã xóa {removed} vector khỏi bộ nhớ đệm ({settings.embedding_cache}); lần dựng chỉ mục sau sẽ nhúng lại.")
    else:
        print(_cache_line(settings))
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.present.feedback import FeedbackStore

    count = FeedbackStore.from_settings(settings).export_csv(Path(args.out))
    print(f"Đã xuất {count} phản hồi ra {args.out}")
    return 0


# ----------------------------------------------------------------------------- approved answers, review queue (issue 20)


def _approved(args: argparse.Namespace, settings: Settings) -> int:
    """`assistant approved list|export|import`: the approved answers in the feedback database."""
    from assistant.present.approved import ApprovalRefused, ApprovedStore
    from assistant.present.feedback import FeedbackStore

    store = ApprovedStore(FeedbackStore.from_settings(settings))
    if args.approved_command == "export":
        count = store.export_json(Path(args.out))
        print(f"Đã xuất {count} câu trả lời đã duyệt (đang dùng) ra {args.out}")
        return 0
    from assistant.service import PolicyAssistant

    assistant = PolicyAssistant(settings)
    note = assistant.ensure_index(show_progress=sys.stderr.isatty())
    if note:
        print(note, file=sys.stderr)
    library = assistant.library
    if args.approved_command == "import":
        try:
            added, refused = store.import_json(Path(args.file), library, args.by)
        except ApprovalRefused as reason:
            print(reason, file=sys.stderr)
            return 2
        print(f"Đã nhập {added} câu trả lời đã duyệt từ {args.file}.")
        for line in refused:
            print(f"Không nhập: {line}", file=sys.stderr)
        return 1 if refused else 0
    for answer, reason in store.check(library):
        print(f"Đã rút câu trả lời số {answer.id}: {reason}", file=sys.stderr)
    answers = store.all()
    if args.json:
        _write(json.dumps([{"id": a.id, **a.as_json()} for a in answers], ensure_ascii=False, indent=1))
        return 0
    for a in answers:
        state = "đang dùng" if a.status == "active" else f"đã rút: {a.withdrawn_reason}"
        _write(f"[{a.id}] {a.questions[0]}\n    {len(a.passages)} đoạn trích, duyệt ngày {a.approved_date} bởi {a.approved_by} ({state})")
    if not answers:
        print("Chưa có câu trả lời nào được duyệt.", file=sys.stderr)
    return 0


def _review(args: argparse.Namespace, settings: Settings) -> int:
    """`assistant review list [--format csv]`: the open review queue, grouped by question."""
    from assistant.present.feedback import FeedbackStore
    from assistant.present.review import KIND_NAMES, ReviewQueue
    from assistant.service import PolicyAssistant

    queue = ReviewQueue(FeedbackStore.from_settings(settings), PolicyAssistant(settings).embed_model, settings.review_group_similarity)
    if args.format == "csv":
        if args.out:
            count = queue.export_csv(Path(args.out))
            print(f"Đã xuất {count} nhóm câu hỏi ra {args.out}", file=sys.stderr)
        else:
            out = io.StringIO()
            queue.export_csv(out)
            _write(out.getvalue().rstrip("\r\n"))
        return 0
    groups = queue.groups()
    for group in groups:
        counts = ", ".join(f"{KIND_NAMES[k]}: {n}" for k, n in group.counts().items())
        _write(f"{group.number}. {group.question} — {group.count} lần ({counts})")
        for comment in group.comments()[:3]:
            _write(f"    Góp ý: {comment}")
    if not groups:
        print("Hàng đợi xem xét trống.", file=sys.stderr)
    return 0


def _approved_parsers(sub: Any) -> None:
    approved = sub.add_parser("approved", help="câu trả lời đã được quản trị viên duyệt")
    approved_sub = approved.add_subparsers(dest="approved_command", required=True)
    listing = approved_sub.add_parser("list", help="liệt kê (rút những câu trả lời mà văn bản đã đổi)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_approved)
    exporting = approved_sub.add_parser("export", help="xuất ra JSON để tỉnh khác nhập")
    exporting.add_argument("--out", default="cau-tra-loi-da-duyet.json")
    exporting.set_defaults(run=_approved)
    importing = approved_sub.add_parser("import", help="nhập từ tệp JSON (chỉ những câu mà đoạn trích có nguyên văn trong chỉ mục)")
    importing.add_argument("file")
    importing.add_argument("--by", default="cli", help="tên người nhập (ghi vào “người duyệt”)")
    importing.set_defaults(run=_approved)
    review = sub.add_parser("review", help="hàng đợi xem xét: câu hỏi bị từ chối, “Chưa đúng”, bằng chứng yếu")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    review_list = review_sub.add_parser("list", help="liệt kê các nhóm câu hỏi đang chờ")
    review_list.add_argument("--format", choices=["text", "csv"], default="text")
    review_list.add_argument("--out", help="ghi CSV ra tệp này (mặc định: ra màn hình)")
    review_list.set_defaults(run=_review)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Trợ lý chính sách phòng, chống ma túy")
    parser.add_argument("--debug", action="store_true", help="khi có lỗi, in toàn bộ traceback")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="hỏi một câu (hoặc nhiều câu từ tệp JSONL)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    ask.add_argument("--jsonl", metavar="FILE", help="đọc các dòng JSON có khóa \"question\" (- là stdin)")
    ask.set_defaults(run=_ask)

    ingest = sub.add_parser(
        "ingest", help="thêm/cập nhật tài liệu trong chỉ mục (mặc định: theo thư mục corpus/); không bỏ tài liệu nào trừ khi có --replace",
    )
    ingest.add_argument("paths", nargs="*", help="tệp hoặc thư mục; các tài liệu khác trong chỉ mục được giữ nguyên")
    mode = ingest.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", help="chỉ mục chỉ còn đúng các tệp đã nêu (bỏ mọi tài liệu khác)")
    mode.add_argument("--rebuild", action="store_true", help="dựng lại toàn bộ chỉ mục từ thư mục corpus/ (khi chỉ mục bị hỏng)")
    ingest.set_defaults(run=_ingest)

    info = sub.add_parser("info", help="liệt kê tài liệu đã đưa vào chỉ mục")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_info)

    cache = sub.add_parser("cache", help="bộ nhớ đệm vector dùng chung trên máy (xem dung lượng, xóa)")
    cache.add_argument("cache_command", choices=["info", "clear"])
    cache.set_defaults(run=_cache)

    sub.add_parser("eval", help="chạy bộ đánh giá (như python -m eval; xem eval --help)", add_help=False)
    sub.add_parser("bench", help="đo tốc độ, bộ nhớ ở quy mô 50/200/500 văn bản (như scripts/benchmark.py; xem bench --help)", add_help=False)

    feedback = sub.add_parser("feedback", help="phản hồi của người dùng")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    export = feedback_sub.add_parser("export", help="xuất phản hồi ra CSV")
    export.add_argument("--out", default="feedback.csv")
    export.set_defaults(run=_feedback)
    add_responsibility_commands(sub)  # assistant matrix | deadlines (present.responsibility_cli)
    _approved_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:  # the eval runner owns its options (--baselines, --gold …)
        from eval.__main__ import main as eval_main

        return eval_main(argv[1:])
    if argv[:1] == ["bench"]:  # so does the benchmark (--n, --quick …)
        from assistant.bench.run import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "ask" and not args.jsonl and not args.question:
        print("Hãy nhập câu hỏi, ví dụ: assistant ask \"Sở Y tế phải làm gì?\"", file=sys.stderr)
        return 2
    # Library warnings would reach the terminal through logging's last-resort handler; the
    # failure itself is explained in one line below (--debug shows everything).
    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO if args.debug else logging.CRITICAL)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.debug else logging.CRITICAL, handlers=[handler])
    if not args.debug:  # notes the user must hear (a damaged cache set aside), as one plain line each
        notes = logging.StreamHandler()
        notes.setFormatter(logging.Formatter("%(message)s"))
        cache_log = logging.getLogger("assistant.index.embedding_cache")
        cache_log.setLevel(logging.WARNING)
        cache_log.addHandler(notes)
        cache_log.propagate = False
    settings: Settings | None = None
    try:
        settings = load_settings()
        return int(args.run(args, settings))
    except BrokenPipeError:
        # `assistant info | head -1`: the reader left; nothing more to say, and nothing to say it to.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except BaseException as err:  # noqa: BLE001 - every failure ends as one line and an exit code
        if args.debug or isinstance(err, SystemExit):
            raise
        message, code = explain_failure(err, args, settings)
        print(message, file=sys.stderr)
        return code


def explain_failure(err: BaseException, args: argparse.Namespace, settings: Settings | None) -> tuple[str, int]:
    """One Vietnamese line saying what went wrong and what to do, and the exit code."""
    from assistant.config import ConfigurationError
    from assistant.documents.load import DocumentRejected
    from assistant.index.ingest import StorageFailed, storage_problem
    from assistant.index.store import ChromaUnavailable, IndexDamaged, IndexMissing

    if isinstance(err, KeyboardInterrupt):
        return "Đã dừng.", 130
    if isinstance(err, (ConfigurationError, DocumentRejected, FileNotFoundError)):
        return str(err), 2
    if isinstance(err, IndexMissing):
        return "Chưa có chỉ mục. Chạy: assistant ingest", 3
    if isinstance(err, IndexDamaged):
        return str(err), 3
    if isinstance(err, StorageFailed):
        return str(err), 4
    problem = storage_problem(err)
    if problem is not None:
        return f"{problem}: {type(err).__name__}: {str(err)[:200]}", 4
    if isinstance(err, ChromaUnavailable):
        return str(err), 5
    if settings is not None and settings.chroma_host and _connection_refused(err):  # the server went away later
        return (f"Mất kết nối với máy chủ Chroma tại {settings.chroma_host}:{settings.chroma_port}. Hãy kiểm tra máy chủ "
                "(chroma run --host … --port …) rồi chạy lại."), 5
    where = getattr(args, "command", "")
    return f"Lỗi không mong đợi khi chạy “{where}”: {type(err).__name__}: {str(err)[:200]}. Chạy lại với --debug để xem chi tiết.", 1


def _connection_refused(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, ConnectionError) or "could not connect" in text or "connection refused" in text or "connecterror" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


if __name__ == "__main__":
    sys.exit(main())
