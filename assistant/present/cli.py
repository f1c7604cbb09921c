"""Stage 6, present (terminal): `assistant ask | ingest | info | eval | feedback export`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from llama_index.core.base.response.schema import Response

from assistant.config import Settings
from assistant.documents.naming import document_name, section_name


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
            lines.append(f"[{c['n']}] {document_name(c['title'], '', c.get('number', ''))} ({c['source']}), {section_name(c['section'])}:\n    “{c['quote']}”")
    return "\n".join(lines)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answering.engine import QuestionRejected
    from assistant.service import PolicyAssistant

    assistant = PolicyAssistant(settings)
    assistant.ensure_index(show_progress=sys.stderr.isatty())
    engine = assistant.engine
    if args.jsonl:
        source: TextIO = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
        with source:
            for line_no, line in enumerate(source, 1):
                if not line.strip():
                    continue
                try:
                    question = str(json.loads(line)["question"])
                except (json.JSONDecodeError, KeyError, TypeError) as err:
                    out = rejected_json("", f"Dòng {line_no} không phải JSON có khóa \"question\": {err}")
                else:
                    try:
                        out = response_json(question, engine.ask(question))
                    except QuestionRejected as rejected:
                        out = rejected_json(question, str(rejected))
                print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    try:
        response = engine.ask(question)
    except QuestionRejected as rejected:
        if args.json:
            print(json.dumps(rejected_json(question, str(rejected)), ensure_ascii=False))
        else:
            print(rejected, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(response_json(question, response), ensure_ascii=False, indent=1))
    else:
        print(format_text(response))
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.documents.load import DocumentRejected
    from assistant.service import PolicyAssistant

    paths = [Path(p) for p in args.paths] or None
    try:
        report = PolicyAssistant(settings).ingest(paths, show_progress=True)
    except (DocumentRejected, FileNotFoundError) as err:
        print(err, file=sys.stderr)
        return 2
    print(report.summary())
    print(f"Thời gian: {report.seconds:.1f} s")
    return 0


def _cache_line(settings: Settings) -> str:
    from assistant.index.embedding_cache import EmbeddingCache

    count, size = EmbeddingCache(settings.embedding_cache).stats()
    return f"Bộ nhớ đệm vector: {count} vector, {size / 2**20:.1f} MB ({settings.embedding_cache})"


def _info(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.store import IndexStore

    manifest = IndexStore(settings).current_manifest()
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
        record |= {"source": source, "relations": entry.relations,
                   "status": [status_line(entry, s, entries[s.by]) for s in ended.get(source, [])] or ["không văn bản nào trong chỉ mục thay thế, bãi bỏ hay chấm dứt hiệu lực văn bản này"]}
        documents.append(record)
    if args.json:
        print(json.dumps({"build": manifest.build_id, "embed_model": manifest.embed_model, "documents": documents}, ensure_ascii=False, indent=1))
        return 0
    print(f"Chỉ mục {manifest.build_id} — mô hình nhúng: {manifest.embed_model}")
    print(_cache_line(settings))
    labels = (("title", "Tiêu đề"), ("doc_type", "Loại"), ("number", "Số"), ("issuer", "Cơ quan ban hành"), ("level", "Cấp"),
              ("province", "Tỉnh"), ("date", "Ngày ban hành"), ("place", "Nơi ban hành"), ("signer", "Người ký"),
              ("signer_title", "Chức danh ký"), ("effective_date", "Hiệu lực từ"))
    levels = {"national": "trung ương", "province": "tỉnh", "district": "huyện"}
    verbs = {"ceases": "chấm dứt hiệu lực", "ceases-part": "chấm dứt hiệu lực một phần", "replaces": "thay thế",
             "repeals": "bãi bỏ", "repeals-part": "bãi bỏ một phần", "amends": "sửa đổi, bổ sung", "replaces-part": "thay thế một phần"}
    for doc in documents:
        print(f"\n{doc['source']}  ({doc['node_count']} đoạn)")
        for key, label in labels:
            if doc.get(key):
                print(f"  {label}: {levels.get(doc[key], doc[key]) if key == 'level' else doc[key]}")
        for relation in doc["relations"]:
            when = f" từ {relation['when']}" if relation.get("when") else ""
            print(f"  Văn bản này {verbs.get(relation['relation'], relation['relation'])}: {relation['kind']} {relation['number']}{when}")
        for line in doc["status"]:
            print(f"  Tình trạng: {line}")
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

    count = FeedbackStore(settings.feedback_db).export_csv(Path(args.out))
    print(f"Đã xuất {count} phản hồi ra {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Trợ lý chính sách phòng, chống ma túy")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="hỏi một câu (hoặc nhiều câu từ tệp JSONL)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    ask.add_argument("--jsonl", metavar="FILE", help="đọc các dòng JSON có khóa \"question\" (- là stdin)")
    ask.set_defaults(run=_ask)

    ingest = sub.add_parser("ingest", help="đưa tài liệu vào chỉ mục (mặc định: thư mục corpus/)")
    ingest.add_argument("paths", nargs="*")
    ingest.set_defaults(run=_ingest)

    info = sub.add_parser("info", help="liệt kê tài liệu đã đưa vào chỉ mục")
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=_info)

    cache = sub.add_parser("cache", help="bộ nhớ đệm vector dùng chung trên máy (xem dung lượng, xóa)")
    cache.add_argument("cache_command", choices=["info", "clear"])
    cache.set_defaults(run=_cache)

    sub.add_parser("eval", help="chạy bộ đánh giá (như python -m eval; xem eval --help)", add_help=False)

    feedback = sub.add_parser("feedback", help="phản hồi của người dùng")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    export = feedback_sub.add_parser("export", help="xuất phản hồi ra CSV")
    export.add_argument("--out", default="feedback.csv")
    export.set_defaults(run=_feedback)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:  # the eval runner owns its options (--baselines, --gold …)
        from eval.__main__ import main as eval_main

        return eval_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "ask" and not args.jsonl and not args.question:
        print("Hãy nhập câu hỏi, ví dụ: assistant ask \"Sở Y tế phải làm gì?\"", file=sys.stderr)
        return 2
    return int(args.run(args, Settings()))


if __name__ == "__main__":
    sys.exit(main())
