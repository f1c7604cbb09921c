"""A province archive stand-in for the scale benchmark: N distinct documents made from real ones.

The real documents (the bundled plans, and the national decrees and circulars of a second
folder) go in once each. The rest are variants of the provincial plans, each a different
document: another issuing province in its header and signature, its year moved back (one of
three families per plan, as a province re-issues the same plan each year), other numbers and
amounts, and in one variant of five other agencies and figures in one window of its passages.

Embedding runs at ~4 chunks/s on two cores, so a variant must cost few new embeddings:
everything outside the header, the signature and its window stays as the plan wrote it, and
every replacement keeps the token count of the line it is in (padded with spaces, which our
loader collapses), so the quickstart pipeline's 1024-token windows keep their boundaries and
only the windows that hold a change are new texts for it too.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.places import known_provinces

HEADER_LINES = 10
FOOTER_LINES = 10
WINDOW_LINES = 12
WINDOW_EVERY = 5  # one variant in five also differs in a window of its passages
YEAR_SHIFTS = (0, -1, -2)  # families of each plan: the year it was written and the two before

# Provincial bodies that one plan's window may assign in another's place (one name for another).
AGENCIES = (
    "Sở Y tế", "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "Sở Công Thương", "Sở Xây dựng",
    "Sở Giáo dục và Đào tạo", "Sở Văn hóa, Thể thao và Du lịch", "Sở Lao động - Thương binh và Xã hội",
    "Sở Thông tin và Truyền thông", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Kế hoạch và Đầu tư",
    "Sở Ngoại vụ", "Sở Tài nguyên và Môi trường", "Sở Khoa học và Công nghệ", "Sở Giao thông vận tải",
    "Ban Dân tộc", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh", "Hội Cựu chiến binh tỉnh", "Hội Nông dân tỉnh", "Liên đoàn Lao động tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh", "Cục Hải quan tỉnh", "Cục Thuế tỉnh",
)

Tokenizer = Callable[[str], list[int]]


@dataclass(frozen=True)
class Plan:
    """A provincial plan that variants are made from."""

    path: Path
    province: str  # as the plan writes it ("Sơn La")
    title: str = ""  # its title lines stay as written: the title is in every chunk's embedded text

    @classmethod
    def read(cls, path: Path) -> "Plan":
        from assistant.documents.load import load_file, to_document

        metadata = to_document(load_file(path)).metadata
        return cls(path, str(metadata.get("province") or ""), str(metadata.get("title") or ""))


@dataclass(frozen=True)
class Variant:
    plan: Plan
    number: int  # 1, 2, … over the whole archive
    province: str
    year_shift: int

    @property
    def name(self) -> str:
        years = f"-lui{-self.year_shift}nam" if self.year_shift else ""
        return f"{_slug(self.province)}-tu-{self.plan.path.stem}{years}-b{self.number:03d}{self.plan.path.suffix}"


def default_tokenizer() -> Tokenizer:
    """The tokenizer llama-index's SentenceSplitter counts with (the quickstart's chunk size)."""
    from llama_index.core.utils import get_tokenizer

    return get_tokenizer()


def archive_files(n: int, plans: list[Plan], national: list[Path]) -> tuple[list[Path], list[Variant]]:
    """Which documents an archive of `n` holds: the real ones first, then variants taking the
    plans in turn, so the archive of 50 is the first 50 of the archive of 500."""
    real = [p.path for p in plans] + list(national)
    variants: list[Variant] = []
    provinces = [p for p in known_provinces() if not p.startswith(("TP", "Thành phố", "Sài Gòn"))]
    tokens = default_tokenizer()
    for k in range(max(0, n - len(real))):
        plan = plans[k % len(plans)]
        round_ = k // len(plans)
        others = [p for p in provinces if p != plan.province and _fits(plan.province, p, tokens)]
        province = others[round_ % len(others)]
        shift = YEAR_SHIFTS[(round_ // len(others)) % len(YEAR_SHIFTS)]
        variants.append(Variant(plan, k + 1, province, shift))
    return real[:n], variants


def write_archive(folder: Path, n: int, plans: list[Plan], national: list[Path], tokenizer: Tokenizer | None = None) -> Path:
    """`folder/n<N>/` with the N documents; made once (a folder that exists is kept as it is)."""
    target = folder / f"n{n}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    tokens = tokenizer or default_tokenizer()
    real, variants = archive_files(n, plans, national)
    seen: set[str] = set()
    for path in real:
        shutil.copyfile(path, target / path.name)
        seen.add(hashlib.sha1(path.read_bytes()).hexdigest())
    for variant in variants:
        text = make_variant(variant.plan.path.read_text(encoding="utf-8"), variant, tokens)
        text = distinct(text, seen, variant)
        (target / variant.name).write_text(text, encoding="utf-8")
    (target / ".complete").write_text(str(len(real) + len(variants)), encoding="utf-8")
    return target


def make_variant(text: str, variant: Variant, tokens: Tokenizer) -> str:
    """The plan's text as another province's plan of another year (see the module docstring).

    Header and signature: other province, number, date and year. One variant in `WINDOW_EVERY`
    also gets other counts, amounts and agencies in one window of its passages. Title lines stay
    as written (the title is part of every chunk's embedded text), and so does everything else.
    """
    lines = text.split("\n")
    seed = int(hashlib.sha1(variant.name.encode()).hexdigest()[:8], 16)
    filled = [i for i, line in enumerate(lines) if line.strip()]  # PDF text ends in blank lines
    edges = set(filled[:HEADER_LINES]) | set(filled[-FOOTER_LINES:])
    window: set[int] = set()
    if variant.number % WINDOW_EVERY == 0:
        body = filled[HEADER_LINES : max(HEADER_LINES + 1, len(filled) - FOOTER_LINES - WINDOW_LINES)] or filled
        start = filled.index(body[seed % len(body)])
        window = set(filled[start : start + WINDOW_LINES])
    swap = _agency_swap(lines, window, seed)
    title = _squeeze(variant.plan.title)
    out = []
    for i, line in enumerate(lines):
        if (i not in window and i not in edges) or (_squeeze(line) and _squeeze(line) in title):
            out.append(line)
            continue
        changed = _vary_numbers(line, seed + i)  # digit for digit: the same tokens
        if variant.year_shift:
            changed = _shift_years(changed, variant.year_shift)
        pairs = [(variant.plan.province, variant.province), (variant.plan.province.upper(), variant.province.upper()), *swap]
        for old, new in pairs:
            changed = replace_fitted(changed, old, new, tokens)
        out.append(changed)
    return "\n".join(out)


def distinct(text: str, seen: set[str], variant: Variant) -> str:
    """`text`, or where another document of the archive already reads the same (a plan whose
    header names no province, number or year: only a few provinces fit its lines, and the cycle
    comes back), the same with other day and month figures in its header and signature, digit for
    digit (the same tokens), until it is a document of its own. `seen` gains its hash."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edges = filled[:HEADER_LINES] + filled[-FOOTER_LINES:]
    title = _squeeze(variant.plan.title)
    for attempt in range(64):
        if attempt:
            seed = int(hashlib.sha1(f"{variant.name}/{attempt}".encode()).hexdigest()[:8], 16)
            lines = text.split("\n")
            for i in edges:
                if not (_squeeze(lines[i]) and _squeeze(lines[i]) in title):
                    lines[i] = _DAY_OR_MONTH.sub(lambda m: _other_figure(m, seed + i), lines[i])
        digest = hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()
        if digest not in seen:
            seen.add(digest)
            return "\n".join(lines)
    return text  # no figure to vary: left as it is (ingest refuses the copy and says so)


_DAY_OR_MONTH = re.compile(r"(?<![\d/])(\d{1,2})(?=\s*(?:/\d|tháng|năm))")


def _other_figure(match: re.Match[str], seed: int) -> str:
    """A day or month figure changed to another of as many digits (1-28 for two, 1-9 for one)."""
    digits = match.group(1)
    if len(digits) == 2:
        return f"{10 + seed % 19:02d}"
    return str(1 + seed % 9)


def _fits(old: str, new: str, tokens: Tokenizer) -> bool:
    """Can `new` stand for `old` without more tokens, in every form a plan writes it in?"""
    forms = (lambda x: x, str.upper, lambda x: f"tỉnh {x}", lambda x: f"{x}, ngày", lambda x: f"TỈNH {x.upper()} ")
    return all(len(tokens(form(new))) <= len(tokens(form(old))) for form in forms)


def replace_fitted(line: str, old: str, new: str, tokens: Tokenizer) -> str:
    """Each `old` in the line replaced by `new`, padded with spaces between its own words to the
    token count `old` had there, so the sentence it is in keeps its length in tokens; where `new`
    would cost more tokens than `old`, that occurrence stays as it was."""
    for match in reversed(list(re.finditer(rf"(?<!\w){re.escape(old)}(?!\w)", line))):
        want = len(tokens(line))
        head, tail = line[: match.start()], line[match.end() :]
        phrase = new
        while len(tokens(head + phrase + tail)) < want:
            gaps = [m.start() for m in re.finditer(" ", phrase)] + [len(phrase)]
            for gap in gaps:
                trial = phrase[:gap] + " " + phrase[gap:]
                if len(tokens(head + trial + tail)) == len(tokens(head + phrase + tail)) + 1:
                    phrase = trial
                    break
            else:
                break
        if len(tokens(head + phrase + tail)) == want:
            line = head + phrase + tail
    return line


def _squeeze(text: str) -> str:
    return re.sub(r"[\s*#_]+", " ", text).strip().lower()


_NUMBER = re.compile(r"(?<![\w./-])(\d{1,3}(?:\.\d{3})+|\d+)(?![\w/]|\.\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _vary_numbers(line: str, seed: int) -> str:
    """Counts, amounts and document numbers changed, digit for digit; years, dates and the
    outline's own numbering ("2.1.", "III.") are left alone."""
    if re.match(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*)[\.\)]\s", line):
        head, rest = re.match(r"^(\s*\S+\s)(.*)$", line, re.S).groups()  # type: ignore[union-attr]
        return head + _vary_numbers(rest, seed)

    def change(match: re.Match[str]) -> str:
        digits = match.group(1)
        if _YEAR.fullmatch(digits) or len(digits) > 1 and digits.startswith("0"):
            return digits
        after = line[match.end():match.end() + 8]
        before = line[max(0, match.start() - 8):match.start()]
        if re.match(r"\s*(?:/|tháng|giờ)", after) or re.search(r"(?:ngày|tháng)\s*$", before):
            return digits  # part of a date or a time
        out = []
        for j, ch in enumerate(digits):
            if ch.isdigit():
                d = (int(ch) + 1 + (seed + j) % 8) % 10
                out.append(str(d if j or d else 1))
            else:
                out.append(ch)
        return "".join(out)

    return _NUMBER.sub(change, line)


def _shift_years(line: str, shift: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + shift) if 2005 <= int(m.group(1)) <= 2035 else m.group(1), line)


def _agency_swap(lines: list[str], window: Iterable[int], seed: int) -> list[tuple[str, str]]:
    """One agency named in the window handed to another body (and back), as plans differ in who does what."""
    text = "\n".join(lines[i] for i in window if i < len(lines))
    named = [a for a in AGENCIES if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text)]
    if not named:
        return []
    old = named[seed % len(named)]
    others = [a for a in AGENCIES if a != old and a not in named]
    new = others[seed % len(others)]
    return [(old, new)]


def _slug(text: str) -> str:
    from assistant.text import fold

    return re.sub(r"[^a-z0-9]+", "", fold(text))
