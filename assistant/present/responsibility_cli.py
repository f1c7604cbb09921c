"""`assistant matrix` and `assistant deadlines`: the responsibility matrix and the deadlines of the
live index, printed or written as files (see present.responsibility_files). Read from the build
(library.json); no embedding model is loaded."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from assistant.config import Settings

MATRIX_FORMATS = ("json", "csv", "xlsx", "md")
DEADLINE_FORMATS = ("json", "csv", "ics")


class BadDate(ValueError):
    """A --from/--to the user typed that is no day."""


def parse_day(text: str | None) -> date | None:
    """ "2023-07-04", "04/7/2023", "4-7-2023" → that day; None when not given."""
    if not text:
        return None
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            year, month, day = map(int, text.split("-"))
            return date(year, month, day)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        pass
    raise BadDate(f"Ngày “{text}” không hợp lệ: hãy viết dạng 2023-07-04 hoặc 04/07/2023.")


def _library(settings: Settings) -> Any:
    from assistant.service import PolicyAssistant

    return PolicyAssistant(settings).open_library()


def _output(args: argparse.Namespace, text: str | None, binary: Path | None = None) -> None:
    if binary is not None:
        print(f"Đã ghi {binary}", file=sys.stderr)
        return
    assert text is not None
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline="")
        print(f"Đã ghi {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def run_matrix(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.present import responsibility_files as files

    library = _library(settings)
    matrix = library.responsibilities.select(args.agency, args.document)
    names = files.document_names(library.documents)
    if args.agency and not matrix.assignments:
        print(f"Không văn bản nào trong chỉ mục giao nhiệm vụ cho “{args.agency}”.", file=sys.stderr)
        return 1
    if args.format == "xlsx":
        out = Path(args.out or "ma-tran-trach-nhiem.xlsx")
        _output(args, None, files.matrix_xlsx(matrix, names, out))
    elif args.format == "csv":
        _output(args, files.matrix_csv(matrix, names))
    elif args.format == "md":
        _output(args, files.matrix_markdown(matrix, names))
    else:
        _output(args, json.dumps(files.matrix_json(matrix), ensure_ascii=False, indent=1))
    return 0


def run_deadlines(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.present import responsibility_files as files

    try:
        start, end = parse_day(getattr(args, "from")), parse_day(args.to)
    except BadDate as bad:
        print(bad, file=sys.stderr)
        return 2
    if start and end and start > end:
        print("--from phải trước --to.", file=sys.stderr)
        return 2
    library = _library(settings)
    matrix = library.responsibilities.select(args.agency, args.document)
    deadlines = matrix.between(start, end) if (start or end) else matrix.between(None, None)
    names = files.document_names(library.documents)
    if args.format == "ics":
        out = Path(args.out or "thoi-han.ics")
        _output(args, None, files.deadlines_ics(deadlines, names, out))
    elif args.format == "csv":
        _output(args, files.deadlines_csv(deadlines, names))
    else:
        _output(args, json.dumps(files.deadlines_json(deadlines), ensure_ascii=False, indent=1))
    return 0


def add_commands(sub: Any) -> None:
    """The two subcommands, added to the CLI's parser (present.cli.build_parser)."""
    matrix = sub.add_parser("matrix", help="ma trận trách nhiệm: cơ quan nào làm gì, ở văn bản nào (json, csv, xlsx, md)")
    matrix.add_argument("--agency", help="chỉ một cơ quan, ví dụ \"Sở Y tế\" (không dấu cũng được)")
    matrix.add_argument("--document", help="chỉ văn bản có tên tệp chứa chữ này")
    matrix.add_argument("--format", choices=MATRIX_FORMATS, default="json")
    matrix.add_argument("--out", help="ghi ra tệp (xlsx mặc định: ma-tran-trach-nhiem.xlsx)")
    matrix.set_defaults(run=run_matrix)
    deadlines = sub.add_parser("deadlines", help="các thời hạn trong văn bản, theo ngày (json, csv, ics)")
    deadlines.add_argument("--from", metavar="NGÀY", help="từ ngày (2023-06-01 hoặc 01/06/2023)")
    deadlines.add_argument("--to", metavar="NGÀY", help="đến ngày")
    deadlines.add_argument("--agency", help="chỉ thời hạn của một cơ quan")
    deadlines.add_argument("--document", help="chỉ văn bản có tên tệp chứa chữ này")
    deadlines.add_argument("--format", choices=DEADLINE_FORMATS, default="json")
    deadlines.add_argument("--out", help="ghi ra tệp (ics mặc định: thoi-han.ics)")
    deadlines.set_defaults(run=run_deadlines)
