"""Approved answers: an administrator's reply to a question that comes back, resting only on
passages of the indexed documents.

An approved answer is the question(s) it answers, the passages it is made of (each: document,
section, the verbatim quote and the quote's hash), an optional note of the administrator's own
(shown as a note, never as a quote), who approved it and when. It is kept in the feedback
database (migration 2) and shown before the engine's answer to a later question that asks the
same thing (`ApprovedMatcher`). It rests on the documents as they were when it was approved
(their hashes are kept): once a cited document is replaced or removed, is superseded, or the
passage is no longer in it word for word, the answer is withdrawn and goes to the review queue,
never shown stale (`ApprovedStore.check`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.documents.naming import section_name
from assistant.index.library import Library
from assistant.present.feedback import FeedbackStore, now_iso
from assistant.query.understand import Question, understand
from assistant.text import collapse_spaces, fold, nfc

EXPORT_FORMAT = "tro-ly-chinh-sach/approved-answers"
EXPORT_VERSION = 1
MAX_NOTE_CHARS = 500
MAX_PASSAGES = 8


class ApprovalRefused(ValueError):
    """An approved answer that cannot be kept as given; the message says why, in Vietnamese."""


def passage_hash(quote: str) -> str:
    """The quote's fingerprint: NFC, spaces collapsed (a re-flowed line is the same passage)."""
    return hashlib.sha256(collapse_spaces(nfc(quote)).encode("utf-8")).hexdigest()


def _flat(text: str) -> str:
    return collapse_spaces(nfc(text))


@dataclass(frozen=True)
class Passage:
    """One cited passage of an approved answer, word for word from the document."""

    source: str
    section: str
    quote: str
    hash: str
    title: str = ""
    heading_path: str = ""
    number: str = ""
    province: str = ""
    node_id: str = ""

    @classmethod
    def picked(cls, library: Library, source: str, quote: str, section: str = "", node_id: str = "") -> Passage:
        """A passage an administrator picked: `quote` must be in the document word for word
        (spaces aside), else `ApprovalRefused` — free text is never presented as a quote."""
        entry = library.documents.get(source)
        if entry is None:
            raise ApprovalRefused(f"Không có văn bản “{source}” trong chỉ mục.")
        quote = _flat(quote).strip().lstrip("-•+* ")  # a list line's bullet is not part of the passage
        if len(quote) < 10:
            raise ApprovalRefused("Đoạn trích quá ngắn (cần ít nhất 10 ký tự lấy từ văn bản).")
        if quote not in _flat(library.full_texts.get(source, "")):
            raise ApprovalRefused(
                f"Đoạn trích không có nguyên văn trong “{entry.title}”. Chỉ được chọn đoạn nguyên văn của văn bản, không sửa chữ."
            )
        node = library.nodes.get(node_id) if node_id else None
        if node is None or quote not in _flat(node.get_content()):
            node = next((n for n in library.sections_of(source) if quote in _flat(n.get_content())), None)
        meta = node.metadata if node is not None else {}
        return cls(
            source=source, section=section or str(meta.get("section") or ""), quote=quote, hash=passage_hash(quote),
            title=entry.title, heading_path=str(meta.get("heading_path") or ""), number=entry.number or "",
            province=entry.province or "", node_id=node.node_id if node is not None else "",
        )

    @classmethod
    def from_citation(cls, library: Library, citation: Mapping[str, Any]) -> Passage:
        """A passage of an answer the engine gave (its quote is the document's own words)."""
        return cls.picked(library, str(citation.get("source") or ""), str(citation.get("quote") or ""),
                          str(citation.get("section") or ""), str(citation.get("node_id") or ""))

    def citation(self, n: int) -> dict[str, Any]:
        """As the chat's citations are (`answering.types.Citation.as_dict`)."""
        return {"n": n, "source": self.source, "title": self.title, "section": self.section, "quote": self.quote,
                "province": self.province, "heading_path": self.heading_path, "node_id": self.node_id, "number": self.number}


@dataclass
class ApprovedAnswer:
    id: int
    questions: list[str]
    passages: list[Passage]
    note: str
    approved_by: str
    approved_at: str
    documents: dict[str, str] = field(default_factory=dict)  # source → sha256 when approved
    status: str = "active"
    withdrawn_at: str | None = None
    withdrawn_reason: str = ""

    @property
    def approved_date(self) -> str:
        """dd/mm/yyyy, as Vietnamese documents write dates."""
        day = self.approved_at[:10]
        return f"{day[8:10]}/{day[5:7]}/{day[:4]}" if len(day) == 10 else day

    def citations(self) -> list[dict[str, Any]]:
        return [p.citation(i) for i, p in enumerate(self.passages, start=1)]

    def text(self) -> str:
        """The answer as the chat shows it: the passages, each quoted and cited [n]; the note as
        the administrator's note, outside every quote."""
        lines = []
        for n, passage in enumerate(self.passages, start=1):
            where = section_name(passage.section, "") if passage.section else ""
            lines.append(f"- {where + ': ' if where else ''}“{passage.quote}” [{n}]")
        if self.note:
            lines += ["", f"Ghi chú của quản trị viên: {self.note}"]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("id")
        return data

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.source for p in self.passages))


def stale_reason(answer: ApprovedAnswer, library: Library) -> str | None:
    """Why `answer` no longer rests on the documents as they are, or None while it does."""
    for passage in answer.passages:
        entry = library.documents.get(passage.source)
        if entry is None:
            return f"Văn bản “{passage.title or passage.source}” đã bị gỡ khỏi chỉ mục."
        if passage.hash != passage_hash(passage.quote) or passage.quote not in _flat(library.full_texts.get(passage.source, "")):
            return f"Đoạn trích từ “{entry.title}” ({section_name(passage.section, '') or passage.source}) không còn nguyên văn trong văn bản."
    for passage in answer.passages:
        entry = library.documents[passage.source]
        known = answer.documents.get(passage.source)
        current = str(library.manifest.documents.get(passage.source, {}).get("sha256") or "")
        if known and current and known != current:
            return f"Văn bản “{entry.title}” ({passage.source}) đã được thay bằng bản khác."
        if not library.in_force(passage.source):
            notes = "; ".join(library.status_notes(passage.source))
            return f"Văn bản “{entry.title}” không còn hiệu lực{': ' + notes if notes else ''}."
    return None


class ApprovedStore:
    """The approved answers in the feedback database."""

    def __init__(self, feedback: FeedbackStore) -> None:
        self.feedback = feedback

    def add(self, library: Library, questions: Sequence[str], passages: Sequence[Passage], approved_by: str, note: str = "",
            approved_at: str | None = None) -> ApprovedAnswer:
        questions = list(dict.fromkeys(q for q in (collapse_spaces(nfc(q)) for q in questions) if q))
        note = collapse_spaces(nfc(note or ""))
        if not questions:
            raise ApprovalRefused("Cần ít nhất một câu hỏi mà câu trả lời này trả lời.")
        if not passages:
            raise ApprovalRefused("Câu trả lời được duyệt phải gồm ít nhất một đoạn trích từ văn bản.")
        if len(passages) > MAX_PASSAGES:
            raise ApprovalRefused(f"Tối đa {MAX_PASSAGES} đoạn trích cho một câu trả lời.")
        if len(note) > MAX_NOTE_CHARS:
            raise ApprovalRefused(f"Ghi chú dài {len(note)} ký tự, vượt giới hạn {MAX_NOTE_CHARS} ký tự.")
        checked = [Passage.picked(library, p.source, p.quote, p.section, p.node_id) for p in passages]
        documents = {p.source: str(library.manifest.documents.get(p.source, {}).get("sha256") or "") for p in checked}
        answer = ApprovedAnswer(0, questions, checked, note, approved_by, approved_at or now_iso(), documents)
        with self.feedback.connect() as db:
            cursor = db.execute(
                "INSERT INTO approved (questions, passages, note, approved_by, approved_at, documents) VALUES (?, ?, ?, ?, ?, ?)",
                (json.dumps(questions, ensure_ascii=False), json.dumps([asdict(p) for p in checked], ensure_ascii=False), note,
                 approved_by, answer.approved_at, json.dumps(documents, ensure_ascii=False)),
            )
            answer.id = int(cursor.lastrowid or 0)
        return answer

    def all(self, status: str | None = None) -> list[ApprovedAnswer]:
        if not self.feedback.path.exists():
            return []
        query = "SELECT id, questions, passages, note, approved_by, approved_at, documents, status, withdrawn_at, withdrawn_reason FROM approved"
        with self.feedback.connect() as db:
            rows = db.execute(query + (" WHERE status = ?" if status else "") + " ORDER BY id", (status,) if status else ()).fetchall()
        return [
            ApprovedAnswer(row[0], json.loads(row[1]), [Passage(**p) for p in json.loads(row[2])], row[3], row[4], row[5],
                           json.loads(row[6]), row[7], row[8], row[9])
            for row in rows
        ]

    def get(self, answer_id: int) -> ApprovedAnswer | None:
        return next((a for a in self.all() if a.id == answer_id), None)

    def withdraw(self, answer_id: int, reason: str) -> bool:
        with self.feedback.connect() as db:
            return db.execute(
                "UPDATE approved SET status = 'withdrawn', withdrawn_at = ?, withdrawn_reason = ? WHERE id = ? AND status = 'active'",
                (now_iso(), reason, answer_id),
            ).rowcount > 0

    def check(self, library: Library) -> list[tuple[ApprovedAnswer, str]]:
        """Withdraw every active answer the library no longer supports; returns them with why."""
        withdrawn = []
        for answer in self.all("active"):
            reason = stale_reason(answer, library)
            if reason is not None and self.withdraw(answer.id, reason):
                withdrawn.append((answer, reason))
        return withdrawn

    # ------------------------------------------------------------------ sharing between provinces

    def export_json(self, out: Path) -> int:
        """The active approved answers as one JSON file another installation can import."""
        answers = self.all("active")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": now_iso(), "answers": [a.as_json() for a in answers]}
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return len(answers)

    def import_json(self, path: Path, library: Library, imported_by: str) -> tuple[int, list[str]]:
        """Add the answers of an export whose passages are in this library word for word; the
        others are named in the returned list and nothing of them is kept. An answer already
        held (same questions and passages) is skipped."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ApprovalRefused(f"Không đọc được tệp {path}: {err}") from None
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT or not isinstance(data.get("answers"), list):
            raise ApprovalRefused(f"Tệp {path} không phải tệp xuất câu trả lời đã duyệt của trợ lý.")
        held = {(tuple(a.questions), tuple(p.hash for p in a.passages)) for a in self.all("active")}
        added, refused = 0, []
        for number, item in enumerate(data["answers"], start=1):
            try:
                if not isinstance(item, dict):
                    raise ApprovalRefused("không phải một đối tượng JSON")
                passages = [Passage.picked(library, str(p.get("source", "")), str(p.get("quote", "")), str(p.get("section", "")))
                            for p in item.get("passages") or []]
                if any(str(p.get("hash", "")) != passage_hash(str(p.get("quote", ""))) for p in item.get("passages") or []):
                    raise ApprovalRefused("mã băm của đoạn trích không khớp với nội dung")
                questions = [str(q) for q in item.get("questions") or []]
                key = (tuple(collapse_spaces(nfc(q)) for q in questions), tuple(p.hash for p in passages))
                if key in held:
                    continue
                who = str(item.get("approved_by") or "")
                self.add(library, questions, passages, f"{imported_by} (nhập từ {who})" if who else imported_by,
                         str(item.get("note") or ""), str(item.get("approved_at") or "") or None)
                held.add(key)
                added += 1
            except ApprovalRefused as reason:
                refused.append(f"Câu trả lời số {number}: {reason}")
        return added, refused


# ----------------------------------------------------------------------------- matching a question


class Embedder(Protocol):
    def get_query_embedding(self, query: str) -> list[float]: ...


@dataclass(frozen=True)
class Match:
    answer: ApprovedAnswer
    question: str  # the approved question it matched
    similarity: float
    overlap: float


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def same_question(new: Question, old: Question, answer: ApprovedAnswer, library: Library) -> bool:
    """Whether `new` can ask what `old` (an approved question) asks, going by what both name:
    the same bodies (when both name one), the same facts of a document (who signed, when …), the
    same kind of question, no place or year the approved answer's documents are not about, and
    documents in common when both point at some."""
    if new.agencies and old.agencies and {m.key for m in new.agencies} != {m.key for m in old.agencies}:
        return False
    if set(new.metadata_fields) != set(old.metadata_fields):
        return False
    if new.primary != old.primary and not new.intents & old.intents:
        return False
    entries = [library.documents[s] for s in answer.sources if s in library.documents]
    places = set(new.provinces) | set(new.unknown_provinces) | set(new.places)
    if places - (set(old.provinces) | {e.province for e in entries if e.province}):
        return False
    years = set(old.years) | {e.year for e in entries if e.year}
    if any(y not in years and not any(str(y) in e.title for e in entries) for y in new.years):
        return False
    if new.named_sources and _provinces(library, new.sources) - _provinces(library, [*answer.sources, *old.sources]):
        return False  # asked of every province's plan, approved for one province's
    if _numbers(new) != _numbers(old):
        return False  # "báo cáo 6 tháng" is not "báo cáo quý", "Quyết định 152" not another
    return not (new.sources and old.sources and not set(new.sources) & set(old.sources))


def _provinces(library: Library, sources: Iterable[str]) -> set[str]:
    return {library.documents[s].province or "" for s in sources if s in library.documents}


def _numbers(question: Question) -> set[str]:
    """The numbers a question names besides its years."""
    return {n.lstrip("0") for n in re.findall(r"\d+", question.text) if int(n) not in question.years}


def term_overlap(a: Question, b: Question) -> float:
    """Dice overlap of the two questions' content words (accent-folded)."""
    first, second = set(a.terms), set(b.terms)
    if not first and not second:
        return 1.0
    return 2 * len(first & second) / (len(first) + len(second))


class ApprovedMatcher:
    """Finds the approved answer a question (already read by the engine: NFC, Zalo paste,
    abbreviations, diacritics restored) asks for: the embedding model says the two questions
    mean the same (cosine ≥ `similarity`), their content words overlap (≥ `overlap`), and they
    name the same bodies, provinces, years and documents and ask the same kind of thing. The
    thresholds were chosen by measurement (eval/approved_matching.py)."""

    def __init__(self, store: ApprovedStore, embed: Embedder, read: Any, similarity: float, overlap: float) -> None:
        self.store = store
        self.embed = embed
        self.read = read  # PolicyQueryEngine.read: the approved questions are read as a new one is
        self.similarity = similarity
        self.overlap = overlap
        self._checked_build: str | None = None
        self._vectors: dict[str, list[float]] = {}
        self._readings: dict[tuple[str, str], str] = {}  # (build, approved question) → as read

    def _vector(self, text: str) -> list[float]:
        key = fold(text)
        if key not in self._vectors:
            if len(self._vectors) > 4096:
                self._vectors.clear()
            self._vectors[key] = self.embed.get_query_embedding(text)
        return self._vectors[key]

    def _read(self, question: str, library: Library) -> str:
        """An approved question as the engine reads it, once per build (reading restores
        diacritics: milliseconds, times every approved question, at every question asked)."""
        key = (library.build_id, question)
        if key not in self._readings:
            if len(self._readings) > 8192:
                self._readings.clear()
            try:
                self._readings[key] = self.read(question)[0]
            except ValueError:  # an approved question the reader now refuses: compare it as written
                self._readings[key] = collapse_spaces(nfc(question))
        return self._readings[key]

    def candidates(self, asked: str, library: Library, sources: Iterable[str] | None = None) -> list[Match]:
        """Every active approved answer with the scores of its closest question, best first
        (those outside `sources`, the session's scope, left out)."""
        if self._checked_build != library.build_id:
            self.store.check(library)  # a new build: withdraw what it no longer supports
            self._checked_build = library.build_id
        allowed = set(sources) if sources is not None else None
        active = [a for a in self.store.all("active") if allowed is None or set(a.sources) <= allowed]
        if not active:
            return []  # no approved answer to match: the question is neither read again nor embedded
        new = understand(asked, library)
        vector = self._vector(asked)
        found = []
        for answer in active:
            best: Match | None = None
            for question in answer.questions:
                read = self._read(question, library)
                old = understand(read, library)
                if not same_question(new, old, answer, library):
                    continue
                match = Match(answer, question, _cosine(vector, self._vector(read)), term_overlap(new, old))
                if best is None or match.similarity > best.similarity:
                    best = match
            if best is not None:
                found.append(best)
        return sorted(found, key=lambda m: -m.similarity)

    def match(self, asked: str, library: Library, sources: Iterable[str] | None = None) -> Match | None:
        for candidate in self.candidates(asked, library, sources):
            if candidate.similarity >= self.similarity and candidate.overlap >= self.overlap:
                return candidate
        return None
