"""Who must do what, and by when, across every indexed document: the responsibility matrix and the
deadlines calendar, made once per index build from the parsed sections.

An **assignment** is one body's tasks in one section: a plan's block ("4. Sở Y tế", "Đề nghị Viện
Kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh: …" — each body of a heading gets its own), a
decree's "Trách nhiệm của Bộ …" article or "Bộ Y tế có trách nhiệm …" clause, a programme's
"1. Bộ Công an" with its points, an item "Giao Công an tỉnh chủ trì …". Bodies are the ones the
parser marked (node metadata `agencies`, see documents.agencies), their names cut where the
sentence goes on ("Bộ Công an là cơ quan đầu mối …" → "Bộ Công an"), and one identity across
spellings (`agency_identity`). Role: "chủ trì" when the body is told to lead something,
"phối hợp" when every task only supports others, else "thực hiện"; partners are the bodies named
after "phối hợp với". A **deadline** is a phrase of documents.deadlines with its sentence, section
and body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from llama_index.core.schema import TextNode

from assistant.documents.agencies import MAX_NAME_WORDS, agency_identity, agency_key, duty_agency, is_agency_name, responsible_agencies, split_agencies
from assistant.documents.deadlines import DatePhrase, assignment_words, deadlines_in
from assistant.text import collapse_spaces, fold

LEAD, SUPPORT, CARRY_OUT = "chủ trì", "phối hợp", "thực hiện"
ROLES = (LEAD, SUPPORT, CARRY_OUT)
MAX_TASK_CHARS = 1200
MAX_WHAT_CHARS = 400
UPCOMING_DAYS = 30

_NUMBER = re.compile(r"^(?:Điều\s+\d+[a-zđ]?\s*[.:]|(?:\d+\.)+\d*\s*|[a-zđ]\)\s*|[IVXLC]+\.\s*|[-–+•*]\s*)", re.I)
_LEADS = re.compile(r"(?:^|[;:,.]\s*|[-–]\s*)(?:giao\s+\S.*?\s)?chủ trì\b", re.I)
_SUPPORTS = re.compile(r"^(?:(?:tiếp tục|chủ động|tích cực|thường xuyên)[,\s]+)*phối hợp\b", re.I)
_PARTNERS = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với|\s+cùng)?\s+(?P<names>[^;:.()\n]+)", re.I)
_OPEN_ENDS = {"và", "của", "các", "với", "tại", "theo", "trên", ","}  # a name does not end on these
_GIVEN = re.compile(r"^(?:\d+\.\s*|[-–]\s*)?Giao\s+(?:cho\s+)?(?P<rest>.+)$")


@dataclass
class Task:
    text: str
    section: str
    deadline: str | None = None


@dataclass
class Assignment:
    document: str
    section: str
    agency: str  # as the document names it
    identity: str  # the body, whatever its spelling ("so y te", "doan thanh nien")
    role: str
    partners: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    order: int = 0  # the section's place in the document, for sorting

    def public(self) -> dict[str, Any]:
        """The issue's JSON shape: document, section, agency, role, partners, tasks."""
        return {"document": self.document, "section": self.section, "agency": self.agency, "role": self.role,
                "partners": list(self.partners), "tasks": [asdict(t) for t in self.tasks]}


@dataclass
class Deadline:
    document: str
    section: str
    agency: str | None
    what: str
    when_text: str
    date: str | None
    start: str | None
    end: str | None
    recurrence: str | None
    identity: str | None = None
    order: int = 0

    def public(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("document", "section", "agency", "what", "when_text", "date", "start", "end", "recurrence")}

    def due(self, today: date) -> date | None:
        """The day it next falls due seen from `today`: its date, a period's last day, the next
        yearly return for "hằng năm"; None when it names no day."""
        written = self.date or self.end
        if not written:
            return None
        day = date.fromisoformat(written)
        if self.recurrence == "hằng năm" and day < today:
            for year in range(today.year, today.year + 2):
                try:
                    again = day.replace(year=year)
                except ValueError:  # 29/02
                    again = day.replace(year=year, day=28)
                if again >= today:
                    return again
        return day


@dataclass
class Responsibilities:
    """The matrix and the calendar of a build; what the CLI, the web tab and the chat read."""

    assignments: list[Assignment] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"assignments": [asdict(a) for a in self.assignments], "deadlines": [asdict(d) for d in self.deadlines]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Responsibilities":
        assignments = [Assignment(**{**a, "tasks": [Task(**t) for t in a["tasks"]]}) for a in data.get("assignments", [])]
        return cls(assignments, [Deadline(**d) for d in data.get("deadlines", [])])

    def of_agency(self, name: str) -> list[Assignment]:
        """Every assignment of the body `name` denotes, in any spelling."""
        identity = body_identity(name)
        return [a for a in self.assignments if a.identity == identity]

    def select(self, agency: str | None = None, document: str | None = None) -> "Responsibilities":
        """Only one body's and/or one document's rows (a document by its file name or title words)."""
        identity = body_identity(agency) if agency else None

        def keeps(source: str, who: str | None) -> bool:
            return (identity is None or who == identity) and (document is None or fold(document) in fold(source))

        return Responsibilities([a for a in self.assignments if keeps(a.document, a.identity)],
                                [d for d in self.deadlines if keeps(d.document, d.identity)])

    def between(self, start: date | None, end: date | None, today: date | None = None) -> list[Deadline]:
        """Deadlines due (or running) between two days, sorted by when they fall due."""
        today = today or date.today()
        out = []
        for deadline in self.deadlines:
            due = deadline.due(start or today)
            first = date.fromisoformat(deadline.start) if deadline.start else due
            if due is None and first is None:
                if start is None and end is None:
                    out.append(deadline)
                continue
            if (start is None or (due or first) >= start) and (end is None or (first or due) <= end):
                out.append(deadline)
        return sorted(out, key=lambda d: (d.due(start or today) or date.max, d.document, d.order))

    def upcoming(self, today: date, days: int = UPCOMING_DAYS) -> list[tuple[Deadline, date | None, str]]:
        """Every deadline with the day it next falls due and its state seen from `today`:
        "quá hạn", "sắp đến hạn" (within `days`), "còn hạn", or "định kỳ" when it names no day;
        overdue first (the most recent), then the coming ones, nearest first."""
        rows = []
        for deadline in self.deadlines:
            due = deadline.due(today)
            if due is None:
                state = "định kỳ"
            elif due < today:
                state = "quá hạn"
            elif due <= today + timedelta(days=days):
                state = "sắp đến hạn"
            else:
                state = "còn hạn"
            rows.append((deadline, due, state))
        rank = {"sắp đến hạn": 0, "quá hạn": 1, "còn hạn": 2, "định kỳ": 3}
        return sorted(rows, key=lambda r: (rank[r[2]], abs((r[1] - today).days) if r[1] else 0, r[0].document))


@lru_cache(maxsize=1)
def _ends_name() -> re.Pattern[str]:
    words = sorted((p for p, _ in assignment_words()["ends_name"]), key=len, reverse=True)
    return re.compile(r"(?:,\s*|\s+)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)|\s*[:;.(\[]|\s*\n|,\s*(?=trong\b)")


@lru_cache(maxsize=1)
def _generic() -> tuple[str, ...]:
    return tuple(fold(p) for p, _ in assignment_words()["generic"])


@lru_cache(maxsize=1)
def _drop_prefix() -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(re.escape(p) for p, _ in assignment_words()["drop_prefix"]) + r")\s+", re.I)


def body_identity(name: str) -> str:
    """One identity per body, whatever the spelling: "lực lượng Công an" ≈ "Công an",
    "Tỉnh đoàn Sơn La" ≈ "Đoàn Thanh niên …" (data/agency_aliases.tsv)."""
    return agency_identity(agency_key(_drop_prefix().sub("", name.strip())))


def cut_name(text: str) -> str:
    """A body's name where the sentence goes on: "Bộ Công an là cơ quan đầu mối …" → "Bộ Công an"."""
    text = re.sub(r"^Đề nghị\s+", "", collapse_spaces(text.replace("*", "")))
    for match in _ends_name().finditer(text):
        head = text[: match.start()].strip(" ,")
        if head and head.split()[-1].lower() not in _OPEN_ENDS:  # "… tệ nạn xã hội và xây dựng phong trào …" goes on
            return head
    return text.strip(" ,")


def body_name(name: str, content: str, heading: bool = False) -> str:
    """The body's full name as the section writes it. A heading's name ("1. Các cấp uỷ, tổ chức
    đảng, chính quyền") is whole already, unless the heading was cut short ("… tệ nạn xã hội và" →
    "… và xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc tỉnh"); a name read from a duty
    sentence is cut where its verb starts ("Bộ Công an là cơ quan đầu mối …" → "Bộ Công an").
    Never merged with the next body of the same heading."""
    bare = re.sub(r"^Đề nghị\s+", "", collapse_spaces(name.replace("*", ""))).strip(" ,:")
    if heading and bare and bare.split()[-1].lower() not in _OPEN_ENDS:
        return bare
    cut = cut_name(bare)
    flat = "\n".join(_lines(content))
    position = flat.find(cut) if cut else -1
    if position >= 0:
        line_end = flat.find("\n", position)
        longer = cut_name(flat[position : line_end if line_end > 0 else len(flat)])
        parts = split_agencies(longer) if longer else []
        if parts and parts[0].startswith(cut):
            return parts[0]
    return cut


def is_body(name: str) -> bool:
    """A name that can head a column of the matrix: opens like a body, ends like a name (a long
    one, "Các sở, ban, ngành, thành viên Ban Chỉ đạo …", is judged by its opening words)."""
    words = name.split()
    return bool(words) and is_agency_name(" ".join(words[:MAX_NAME_WORDS])) and words[-1].lower() not in _OPEN_ENDS


def known_prefix(name: str, known: set[str]) -> str:
    """The longest start of `name` that is a body some document assigns tasks to ("Bộ Chỉ huy Bộ
    đội Biên phòng tỉnh trao đổi" → "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"); `name` when none is."""
    words = name.split()
    for size in range(len(words), 0, -1):
        if agency_key(" ".join(words[:size])) in known:
            return " ".join(words[:size]).strip(" ,")
    return name


def partners_in(text: str, own: str, known: set[str] | None = None) -> list[str]:
    """The bodies a task names after "phối hợp (với)", as written; groups like "các ngành liên
    quan" and the body itself are left out. `known`: agency keys of the bodies documents assign
    tasks to, which tell where a partner's name ends."""
    out: list[str] = []
    own_identity = body_identity(own)
    for match in _PARTNERS.finditer(text):
        names = cut_name(match.group("names"))
        for name in split_agencies(names):
            name = re.split(r",\s*(?=các\s)|\s+và\s+(?=các\s)", name)[0]  # "lực lượng Công an, các ban, ngành"
            name = known_prefix(name.strip(" ,"), known or set())
            bare = _drop_prefix().sub("", name)
            if not bare or any(g in fold(name) for g in _generic()) or not is_agency_name(bare.split(",")[0]):
                continue
            if body_identity(name) != own_identity and name not in out:
                out.append(name)
    return out


def role_of(tasks: list[Task], name: str = "") -> str:
    """ "chủ trì" when a task has the body lead ("Chủ trì, phối hợp …", "Bộ Công an chủ trì …"),
    "phối hợp" when every task opens with supporting others, else "thực hiện"."""
    texts = [t.text[len(name):].strip(" ,:") if name and t.text.startswith(name) else t.text for t in tasks]
    if any(_LEADS.search(t) for t in texts):
        return LEAD
    if texts and all(_SUPPORTS.match(_NUMBER.sub("", t).strip()) for t in texts):
        return SUPPORT
    return CARRY_OUT


def _lines(content: str) -> list[str]:
    return [collapse_spaces(line.replace("*", "")) for line in content.split("\n") if line.strip()]


def _heading_tail(line: str, names: list[str]) -> str | None:
    """What a block's heading line says beyond the names: "5. Sở X: Chỉ đạo …" → "Chỉ đạo …";
    None when the line is only the heading ("1. Công an tỉnh", "Điều 49. Trách nhiệm của Bộ Y tế")."""
    rest = _NUMBER.sub("", line, count=1).strip()
    if ":" in rest[:250]:
        tail = rest.split(":", 1)[1].strip()
        return tail if len(tail) > 15 else None
    if rest.startswith("Trách nhiệm") or any(rest.rstrip(" .:") == n or rest.rstrip(" .:").endswith(n) for n in names):
        return None
    return rest


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _task(text: str, place: str, year: int | None, issued: int | None) -> Task:
    text = re.sub(r"^[-–+•]\s*", "", text)  # the bullet is layout, not the task
    found = deadlines_in(text, year, issued)
    return Task(_clip(text, MAX_TASK_CHARS), place, found[0][1].when_text if found else None)


def _owned_lines(lines: list[str], names: list[str]) -> dict[str, list[str]]:
    """In an article or programme that assigns several bodies, which lines are whose: a clause
    naming its body ("2. Bộ Y tế có trách nhiệm …", "1. Bộ Công an" above its points) owns the
    lines up to the next clause that names another."""
    keys = {agency_key(cut_name(n)): n for n in names}
    owned: dict[str, list[str]] = {}
    owner: str | None = None
    for line in lines:
        rest = _NUMBER.sub("", line, count=1).strip()
        named = duty_agency(rest)
        if named:
            key = agency_key(cut_name(named))
            owner = next((n for k, n in keys.items() if k and (key.startswith(k) or k.startswith(key))), None)
            tail = _heading_tail(line, [cut_name(named)])
            if owner and tail is not None:
                owned.setdefault(owner, []).append(rest)
            continue
        if re.match(r"^(?:Điều\s+\d|\d+\.)", line):
            owner = None  # a clause naming no body ends the last one's lines
        if owner:
            owned.setdefault(owner, []).append(line)
    return owned


def _node_assignments(node: TextNode, known: set[str]) -> list[Assignment]:
    meta = node.metadata
    source, place = str(meta.get("source", "")), str(meta.get("place") or meta.get("section", ""))
    year = int(meta["year"]) if str(meta.get("year", "")).isdigit() else None
    order = int(meta.get("order", 0))
    content = node.get_content()
    lines = _lines(content)
    names = [n for n in str(meta.get("agencies", "")).split("; ") if n]
    out: list[Assignment] = []
    if names:
        from_title = responsible_agencies(str(meta.get("heading", "")))
        if meta.get("layout") == "normative" and not from_title:
            per_name = _owned_lines(lines, names)
        else:
            body = [tail for i, line in enumerate(lines) if (tail := (_heading_tail(line, [cut_name(n) for n in names]) if i == 0 else line))]
            per_name = {n: body for n in names}
        heading = meta.get("layout") != "normative" or bool(from_title)
        for name in names:
            full = body_name(name, content, heading)
            texts = per_name.get(name, [])
            if not texts or not is_body(full):
                continue
            out.append(_assignment(source, place, full, texts, year, order, known))
    named = {body_identity(a.agency) for a in out}
    for line in lines:  # "3. Giao Công an tỉnh chịu trách nhiệm theo dõi, …"
        given = _GIVEN.match(line)
        who = duty_agency(given.group("rest")) if given else None
        if who and is_body(cut_name(who)) and body_identity(cut_name(who)) not in named:
            out.append(_assignment(source, place, cut_name(who), [given.group("rest")], year, order, known))
    return out


def _assignment(source: str, place: str, name: str, texts: list[str], year: int | None, order: int, known: set[str]) -> Assignment:
    tasks = [_task(t, place, year, year) for t in texts]
    partners: list[str] = []
    for task in tasks:
        partners += [p for p in partners_in(task.text, name, known) if p not in partners]
    return Assignment(source, place, name, body_identity(name), role_of(tasks, name), partners, tasks, order)


def _node_deadlines(node: TextNode, owners: list[Assignment]) -> list[Deadline]:
    meta = node.metadata
    source, place = str(meta.get("source", "")), str(meta.get("place") or meta.get("section", ""))
    year = int(meta["year"]) if str(meta.get("year", "")).isdigit() else None
    out: list[Deadline] = []
    for sentence, phrase in deadlines_in(node.get_content().replace("*", ""), year, year):
        whose = [a for a in owners if any(phrase.when_text in t.text for t in a.tasks)] or [None]
        for owner in whose:
            out.append(_deadline(source, place, owner, sentence, phrase, int(meta.get("order", 0))))
    return out


def _deadline(source: str, place: str, owner: Assignment | None, sentence: str, phrase: DatePhrase, order: int) -> Deadline:
    what = _NUMBER.sub("", collapse_spaces(sentence), count=1).strip()
    return Deadline(source, place, owner.agency if owner else None, _clip(what, MAX_WHAT_CHARS), phrase.when_text,
                    phrase.date, phrase.start, phrase.end, phrase.recurrence, owner.identity if owner else None, order)


def extract(nodes: Iterable[TextNode]) -> Responsibilities:
    """The matrix and calendar of a set of parsed chunks (every document's, in any order)."""
    result = Responsibilities()
    ordered = sorted(nodes, key=lambda n: (str(n.metadata.get("source", "")), int(n.metadata.get("order", 0))))
    known = {agency_key(cut_name(name)) for n in ordered for name in str(n.metadata.get("agencies", "")).split("; ") if name}
    for node in ordered:
        if node.metadata.get("layout") == "appendix":
            continue  # forms and tables: "Tính từ ngày 01 tháng 01 năm … đến ngày …" assigns nothing
        own = _node_assignments(node, known)
        result.assignments.extend(own)
        result.deadlines.extend(_node_deadlines(node, own))
    return result
