"""The review queue: what went unanswered or wrong, grouped so an administrator fixes a question
once however many people asked it.

Entries come from the feedback database only (questions never leave the server): refused
questions and weak-evidence answers (the engine's fallback of best passages, answerer
"retrieved") from the `asked` log, answers rated "Chưa đúng" with the user's comment, and
approved answers withdrawn because their documents changed. Entries are grouped by embedding
neighbours of the question as read (cosine ≥ `review_group_similarity`). A decision (approve,
correct, out of scope, dismiss) closes the entries of a group asked up to then; the same
question asked again later comes back.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.index.library import Library
from assistant.present.approved import ApprovalRefused, ApprovedAnswer, ApprovedStore, Passage
from assistant.present.feedback import FeedbackStore, now_iso
from assistant.present.feedback import _cell  # spreadsheet-safe cells, as the feedback CSV
from assistant.text import collapse_spaces, fold, nfc

EntryKind = Literal["refused", "wrong", "weak", "withdrawn"]
KIND_NAMES: dict[str, str] = {"refused": "Từ chối", "wrong": "Chưa đúng", "weak": "Bằng chứng yếu", "withdrawn": "Đã rút (văn bản đổi)"}
Decision = Literal["approved", "corrected", "out_of_scope", "dismissed"]
DECISION_NAMES: dict[str, str] = {"approved": "đã duyệt", "corrected": "đã sửa", "out_of_scope": "ngoài phạm vi", "dismissed": "bỏ qua"}
WEAK_ANSWERERS = ("retrieved",)  # the fallback: best passages, no answerer recognised the question
CSV_COLUMNS = ("nhom", "cau_hoi", "so_lan", "tu_choi", "chua_dung", "bang_chung_yeu", "da_rut", "van_ban", "gop_y", "lan_dau", "lan_cuoi", "cac_cau_hoi")


def question_key(text: str) -> str:
    """What a decision is kept under: the question as read, accent-folded, spaces collapsed."""
    return collapse_spaces(fold(nfc(text or "")))


@dataclass
class Entry:
    kind: EntryKind
    question: str  # as typed
    understood: str  # as read (what is grouped and approved)
    at: str
    documents: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    answer: str = ""
    comment: str = ""


@dataclass
class Group:
    number: int
    entries: list[Entry]

    @property
    def question(self) -> str:
        """The most asked wording (the earliest among equals)."""
        counts = Counter(e.understood for e in self.entries)
        return max(counts, key=lambda q: (counts[q], -min(i for i, e in enumerate(self.entries) if e.understood == q)))

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(e.understood for e in self.entries))

    @property
    def count(self) -> int:
        return len(self.entries)

    def counts(self) -> Counter[str]:
        return Counter(e.kind for e in self.entries)

    def documents(self) -> list[tuple[str, int]]:
        return Counter(d for e in self.entries for d in dict.fromkeys(e.documents)).most_common()

    def comments(self) -> list[str]:
        return [e.comment for e in self.entries if e.comment]

    @property
    def first(self) -> str:
        return min(e.at for e in self.entries)

    @property
    def last(self) -> str:
        return max(e.at for e in self.entries)

    def latest_citations(self) -> list[dict[str, Any]]:
        """The cited passages of the latest answer given to the group (what "approve" keeps)."""
        for entry in sorted(self.entries, key=lambda e: e.at, reverse=True):
            if entry.citations:
                return entry.citations
        return []


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class ReviewQueue:
    def __init__(self, feedback: FeedbackStore, embed: Any, similarity: float) -> None:
        self.feedback = feedback
        self.approved = ApprovedStore(feedback)
        self.embed = embed
        self.similarity = similarity

    # ------------------------------------------------------------------ what is open

    def entries(self) -> list[Entry]:
        if not self.feedback.path.exists():
            return []
        with self.feedback.connect() as db:
            asked = db.execute(
                "SELECT question, understood, asked_at, abstained, answerer, citations, scope, answer FROM asked"
                " WHERE kind = 'answer' AND (abstained = 1 OR answerer IN (%s)) ORDER BY id" % ",".join("?" * len(WEAK_ANSWERERS)),
                WEAK_ANSWERERS,
            ).fetchall()
            wrong = db.execute(
                "SELECT question, understood_as, created_at, citations, filters, answer, comment FROM feedback WHERE rating = 'down' ORDER BY id"
            ).fetchall()
            decided = dict(db.execute("SELECT question, decided_at FROM review_decisions").fetchall())
        found: list[Entry] = []
        for question, understood, at, abstained, _answerer, citations, scope, answer in asked:
            cited = json.loads(citations)
            documents = list(dict.fromkeys([*json.loads(scope), *(str(c.get("source")) for c in cited)]))
            found.append(Entry("refused" if abstained else "weak", question, understood, at, documents, cited, answer))
        for question, understood, at, citations, filters, answer, comment in wrong:
            cited = json.loads(citations)
            scope = list((json.loads(filters) or {}).get("documents") or [])
            documents = list(dict.fromkeys([*scope, *(str(c.get("source")) for c in cited)]))
            found.append(Entry("wrong", question, understood or question, at, documents, cited, answer, comment))
        for answer_ in self.approved.all("withdrawn"):
            found.append(Entry("withdrawn", answer_.questions[0], answer_.questions[0], answer_.withdrawn_at or answer_.approved_at,
                               answer_.sources, answer_.citations(), answer_.text(), answer_.withdrawn_reason))
        return [e for e in found if not (question_key(e.understood) in decided and e.at <= decided[question_key(e.understood)])]

    def groups(self) -> list[Group]:
        """Open entries grouped by similar question, the most asked first."""
        entries = sorted(self.entries(), key=lambda e: e.at)
        if not entries:
            return []
        vectors = {q: self.embed.get_query_embedding(q) for q in dict.fromkeys(e.understood for e in entries)}
        heads: list[tuple[list[float], list[Entry]]] = []
        for entry in entries:
            vector = vectors[entry.understood]
            home = next((members for head, members in heads if _cosine(head, vector) >= self.similarity), None)
            if home is None:
                heads.append((vector, [entry]))
            else:
                home.append(entry)
        ordered = sorted((members for _, members in heads), key=lambda m: (-len(m), min(e.at for e in m)))
        return [Group(i, members) for i, members in enumerate(ordered, start=1)]

    def group_of(self, questions: Sequence[str]) -> Group | None:
        """The open entries asked as one of `questions` (a group as the page showed it), or None
        once they have all been decided."""
        wanted = {question_key(q) for q in questions}
        entries = [e for e in self.entries() if question_key(e.understood) in wanted]
        return Group(0, sorted(entries, key=lambda e: e.at)) if entries else None

    # ------------------------------------------------------------------ actions

    def decide(self, group: Group, decision: Decision, by: str, approved_id: int | None = None) -> None:
        """Close the group's entries (the same question asked later opens again)."""
        when = now_iso()
        with self.feedback.connect() as db:
            for question in group.questions:
                db.execute(
                    "INSERT INTO review_decisions (question, decision, approved_id, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (question) DO UPDATE SET decision = excluded.decision, approved_id = excluded.approved_id,"
                    " decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                    (question_key(question), decision, approved_id, by, when),
                )

    def approve(self, group: Group, library: Library, by: str, note: str = "") -> ApprovedAnswer:
        """The latest answer given to the group, approved as it was (its cited passages)."""
        citations = group.latest_citations()
        if not citations:
            raise ApprovalRefused("Câu trả lời của nhóm này không trích đoạn nào; hãy dùng “Sửa” để chọn đoạn từ văn bản.")
        passages = [Passage.from_citation(library, c) for c in citations[:8]]
        answer = self.approved.add(library, group.questions[:5], passages, by, note)
        self.decide(group, "approved", by, answer.id)
        return answer

    def correct(self, group: Group, library: Library, passages: Sequence[Passage], by: str, note: str = "") -> ApprovedAnswer:
        """A corrected answer composed of passages the administrator picked from the documents."""
        answer = self.approved.add(library, group.questions[:5], passages, by, note)
        self.decide(group, "corrected", by, answer.id)
        return answer

    # ------------------------------------------------------------------ for the CLI and the admin tab

    def rows(self, groups: Sequence[Group] | None = None) -> list[list[str]]:
        out = []
        for group in self.groups() if groups is None else groups:
            counts = group.counts()
            out.append([
                str(group.number), group.question, str(group.count), *(str(counts.get(k, 0)) for k in KIND_NAMES),
                "; ".join(f"{source} ({n})" for source, n in group.documents()), " | ".join(group.comments()),
                group.first, group.last, " | ".join(group.questions),
            ])
        return out

    def export_csv(self, out: Any) -> int:
        """The open groups as UTF-8 CSV (BOM for spreadsheets; formula-looking cells quoted)."""
        rows = self.rows()
        handle = open(out, "w", encoding="utf-8-sig", newline="") if isinstance(out, (str, Path)) else out  # noqa: SIM115
        try:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                writer.writerow([_cell(v) for v in row])
        finally:
            if isinstance(out, (str, Path)):
                handle.close()
        return len(rows)

