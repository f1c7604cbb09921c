"""Usage figures from the feedback database: how much the assistant is asked, how often it
refuses, how often staff rate its answers, what they ask about and how fast it answers.

Computed from the `asked` log and the `feedback` table only (nothing leaves the server). Days
and weeks are UTC calendar days and ISO weeks; percentiles are nearest-rank (p95 of 20 answers is
the 19th fastest), so a figure can be checked by hand.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assistant.present.feedback import FeedbackStore
from assistant.present.feedback import _cell  # spreadsheet-safe cells, as the feedback CSV

TOP = 10


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Usage:
    questions: int = 0
    refused: int = 0
    rated: int = 0
    approved: int = 0  # answered by an approved answer
    per_day: list[tuple[str, int]] = field(default_factory=list)
    per_week: list[tuple[str, int]] = field(default_factory=list)
    bodies: list[tuple[str, int]] = field(default_factory=list)
    documents: list[tuple[str, int]] = field(default_factory=list)
    p50_ms: float | None = None
    p95_ms: float | None = None

    @property
    def refused_share(self) -> float:
        return self.refused / self.questions if self.questions else 0.0

    @property
    def rated_share(self) -> float:
        return self.rated / self.questions if self.questions else 0.0

    def summary(self) -> list[tuple[str, str]]:
        """(figure, value) rows, in Vietnamese, as the dashboard and the CSV show them."""
        def ms(value: float | None) -> str:
            return "—" if value is None else f"{value:.0f} ms"

        return [
            ("Số câu hỏi", str(self.questions)),
            ("Tỉ lệ từ chối", f"{self.refused_share:.1%} ({self.refused})"),
            ("Tỉ lệ được đánh giá", f"{self.rated_share:.1%} ({self.rated})"),
            ("Trả lời bằng câu đã duyệt", str(self.approved)),
            ("Thời gian trả lời p50", ms(self.p50_ms)),
            ("Thời gian trả lời p95", ms(self.p95_ms)),
        ]


def usage(feedback: FeedbackStore, titles: Mapping[str, str] | None = None, top: int = TOP) -> Usage:
    """The figures over everything logged. `titles` names documents (source → title) when known."""
    if not feedback.path.exists():
        return Usage()
    with feedback.connect() as db:
        rows = db.execute("SELECT asked_at, abstained, kind, turn_id, agencies, citations, scope, total_ms FROM asked ORDER BY id").fetchall()
        rated_turns = {row[0] for row in db.execute("SELECT DISTINCT turn_id FROM feedback WHERE turn_id != ''")}
    days: Counter[str] = Counter()
    weeks: Counter[str] = Counter()
    bodies: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    times: list[float] = []
    result = Usage(questions=len(rows))
    for asked_at, abstained, kind, turn_id, agencies, citations, scope, total_ms in rows:
        day = asked_at[:10]
        days[day] += 1
        weeks[iso_week(day)] += 1
        result.refused += int(bool(abstained))
        result.approved += int(kind == "approved")
        result.rated += int(turn_id in rated_turns)
        bodies.update(list(dict.fromkeys(json.loads(agencies))))
        cited = [str(c.get("source")) for c in json.loads(citations)]
        documents.update(list(dict.fromkeys([*json.loads(scope), *cited])))
        if total_ms is not None:
            times.append(float(total_ms))
    result.per_day = sorted(days.items())
    result.per_week = sorted(weeks.items())
    result.bodies = bodies.most_common(top)
    names = titles or {}
    result.documents = [(names.get(source, source), n) for source, n in documents.most_common(top)]
    result.p50_ms = nearest_rank(times, 0.50)
    result.p95_ms = nearest_rank(times, 0.95)
    return result


def export_csv(figures: Usage, out: Path) -> Path:
    """All figures in one CSV (sections one after another), UTF-8 with BOM for spreadsheets."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["muc", "khoa", "gia_tri"])
        for name, value in figures.summary():
            writer.writerow(["tong_quan", name, value])
        for section, pairs in (("theo_ngay", figures.per_day), ("theo_tuan", figures.per_week),
                               ("co_quan", figures.bodies), ("van_ban", figures.documents)):
            for key, count in pairs:
                writer.writerow([section, _cell(str(key)), count])
    return out

