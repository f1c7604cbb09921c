"""The chat's memory: follow-up questions understood from the previous turn, without an LLM.

Staff ask the way they talk: "Sở Y tế phải làm gì?" then "Còn Công an tỉnh thì sao?", "ở Tuyên
Quang thì sao?", "hạn báo cáo là khi nào?". A follow-up keeps what the last question was about
(its intent, agency, province, year and the one document its answer came from) and replaces
only what the new message names. The result is an ordinary, self-contained question, which the
engine answers (`understood=`) and the chat shows as "Câu hỏi được hiểu là: …", so the user can
see, and correct, what was carried over.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answering.evidence import MONEY as AMOUNT
from assistant.documents.naming import document_heading, section_name
from assistant.answering.engine import PolicyQueryEngine, QuestionRejected, Scope
from assistant.index.library import DocumentEntry, Library
from assistant.query.nonsense import NotAQuestion
from assistant.query.understand import AGENCY, METADATA, MONEY, NUMBER, AgencyMatch, Question, understand
from assistant.present.smalltalk import EXAMPLES, SmallTalk, help_reply, small_talk
from assistant.text import capitalize_first, collapse_spaces, fold

# "Còn …", "Thế còn …", "Vậy còn …", "Còn ở …"
_OPENER = re.compile(r"^(?:(?:vay|the|thi|va|nhung|oi)\s+)*con\b\s*")
# "… thì sao?", "… thì thế nào?", "… ra sao?"
_TAIL = re.compile(r"\s*\b(?:thi sao(?: a| nhi| vay)?|thi the nao|thi nhu the nao|thi ra sao|the nao|ra sao)\s*[?.!]*\s*$")
_FILLER = {"con", "vay", "the", "thi", "sao", "nao", "ra", "nhi", "a", "oi", "o", "tai", "cua", "doi", "voi", "nam", "tinh"}
# Pronoun-like references to the last turn's agency or document (with tone marks: "họ" ≠ "hộ").
_AGENCY_ANAPHORA = re.compile(r"(?<!\w)(?:(?:đơn vị|cơ quan|sở|ngành) (?:đó|này|ấy|trên)|họ)(?!\w)", re.I)
_DOCUMENT_ANAPHORA = re.compile(r"(?<!\w)(?:văn bản|kế hoạch|nghị quyết|quyết định|tài liệu) (?:đó|này|ấy|trên)(?!\w)", re.I)
# Where "của <agency>" goes in "hạn báo cáo là khi nào": before the question word.
_QUESTION_WORD = re.compile(
    r"\s+(?:la\s+)?(?:khi nao|bao gio|ngay nao|luc nao|bao nhieu|gi|ai|the nao|nhu the nao|ra sao|o dau|dau)\b"
)
# A message that starts with the verb is missing its subject: "phải báo cáo khi nào?"
_VERB_FIRST = re.compile(r"^(?:phai|can|co trach nhiem|chiu trach nhiem|duoc giao|chu tri|phoi hop|bao cao|gui|thuc hien|lam)\b")
_MAX_SHORT_TERMS = 3
# "Hạn báo cáo của Sở Y tế là khi nào?": a place goes before the copula and its question word.
_COPULA_QUESTION = re.compile(r"\s+la\s+(?:khi nao|bao gio|ngay nao|luc nao|bao nhieu|gi|ai|the nao|nhu the nao|o dau)\b")
# A follow-up is searched in the documents the last answer cited, when there were this few.
MAX_CARRIED_DOCUMENTS = 3


@dataclass
class Filters:
    """The session's choice of documents, provinces and years (empty = no restriction)."""

    documents: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.documents or self.provinces or self.years)

    def as_dict(self) -> dict[str, list[str]]:
        return asdict(self)

    def sources(self, library: Library) -> list[str] | None:
        """The documents a question may be answered from; None when unrestricted, [] when the
        filters exclude every document."""
        if not self.active:
            return None
        chosen = [s for s in library.documents if not self.documents or s in self.documents]
        if self.provinces:
            chosen = [s for s in chosen if library.documents[s].province in self.provinces]
        if self.years:
            chosen = [s for s in chosen if str(library.documents[s].year or "") in self.years]
        return chosen


@dataclass
class LastTurn:
    """What a follow-up may refer to: the self-contained question, the one document its answer
    came from (None when it drew on several or none) and the documents it cited (at most
    MAX_CARRIED_DOCUMENTS; none when it drew on more)."""

    text: str
    document: str | None = None
    documents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FollowUp:
    text: str  # the self-contained question, shown as "Câu hỏi được hiểu là: …"
    document: str | None  # a document carried over from the last turn, to narrow the search
    question: str  # `text` without the "(theo <document>)" note: what the next follow-up builds on
    documents: list[str] = field(default_factory=list)  # the last answer's documents the follow-up is searched in


class Conversation:
    """Rewrites follow-up messages into self-contained questions using the last turn only."""

    def __init__(self, library: Library, scope: Sequence[str] | None = None, last: LastTurn | None = None) -> None:
        self.library = library
        self.scope = list(scope) if scope is not None else None
        self.last = last

    def clear(self) -> None:
        self.last = None

    def remember(self, text: str, cited_sources: Iterable[str] = (), document: str | None = None) -> None:
        """Record a turn: `text` is the question that was answered (after any rewrite)."""
        cited = [s for s in dict.fromkeys(cited_sources) if s in self.library.documents]
        if len(cited) == 1:
            document = cited[0]
        elif not document:
            restricted = understand(text, self.library, self.scope).sources
            document = restricted[0] if len(restricted) == 1 else None
        carried = cited if len(cited) <= MAX_CARRIED_DOCUMENTS else []
        self.last = LastTurn(text=text, document=document if document in self.library.documents else None, documents=carried)

    def rewrite(self, text: str) -> str | None:
        follow_up = self.follow_up(text)
        return follow_up.text if follow_up else None

    def follow_up(self, text: str) -> FollowUp | None:
        """The self-contained question `text` stands for, or None when it stands on its own."""
        if self.last is None:
            return None
        text = collapse_spaces(text)
        folded = fold(text)
        new = understand(text, self.library, self.scope)
        prev = understand(self.last.text, self.library, self.scope)
        opener = _OPENER.match(folded)
        tail = _TAIL.search(folded)
        own_intent = bool(new.intents - {AGENCY}) or new.asks_tasks
        residual = self._residual_terms(text, new)
        document = self.last.document

        if (opener or tail) and not own_intent and not residual:
            document = self._document_if_consistent(document, new)
            carried = self._documents_if_consistent(new)
            if new.provinces and document is None and len(carried) == 1:
                document = carried[0]  # the last answer's one document of that province: its note names the province
            core = self._swap_slots(self.last.text, prev, text, new, place_in_note=document is not None)
            if core is None:
                return None
            return self._followed(core, document, new)

        if opener and tail and not own_intent and not (new.agencies or new.provinces or new.years):
            # "Còn cấp lại thì sao?": the same question asked of another thing, in the same documents.
            topic = _between(text, opener.end(), tail.start())
            if topic:
                core = _put(self.last.text, None, topic, "đối với")
                return self._followed(core, self._document_if_consistent(document, new), new)

        agency_anaphor = _AGENCY_ANAPHORA.search(text)
        document_anaphor = _DOCUMENT_ANAPHORA.search(text)
        # A short question with nothing of its own to be about ("hạn báo cáo là khi nào?"); one that
        # names a province or year ("Tuyên Quang tổ chức mít tinh khi nào?") stands alone.
        short = len(residual) <= _MAX_SHORT_TERMS and not (new.provinces or new.years)
        if own_intent and not new.agencies and (agency_anaphor or opener or document_anaphor or short):
            core = _strip_opener(text)
            if prev.agencies and not document_anaphor and METADATA not in new.intents:
                core = self._add_agency(core, prev)
            core = self._carry_place(core, prev, new)
            document = self._document_if_consistent(document, new)
            return self._followed(_question(core), document, new)

        if opener and own_intent:  # "Còn Sở Tài chính phải làm gì?": a new subject, same context
            core = self._carry_place(_strip_opener(text), prev, new)
            document = self._document_if_consistent(document, new)
            return self._followed(_question(core), document, new)
        return None

    def _followed(self, core: str, document: str | None, new: Question) -> FollowUp:
        documents = [document] if document else self._documents_if_consistent(new)
        return FollowUp(self._with_document(core, document, documents), document, core, documents)

    def _documents_if_consistent(self, new: Question) -> list[str]:
        """The last answer's documents a follow-up stays in: those of the province or year it
        moves to (none: the question finds its own), all of them when it moves nowhere, none
        when it names a document of its own."""
        if self.last is None or (new.named_sources and new.sources):
            return []
        kept = [s for s in self.last.documents if s in self.library.documents and (self.scope is None or s in self.scope)]
        if new.provinces:
            kept = [s for s in kept if self.library.documents[s].province in new.provinces]
        if new.years:
            kept = [s for s in kept if self.library.documents[s].year in new.years]
        return kept

    # ------------------------------------------------------------------ pieces

    def _residual_terms(self, text: str, question: Question) -> list[str]:
        """Content words besides the names of agencies, provinces and years."""
        named = set()
        for match in question.agencies:
            span = find_phrase(text, match.key)
            if span:
                named.update(fold(text[span[0]:span[1]]).split())
            named.update(match.key.split())
        for province in question.provinces:
            named.update(fold(province).split())
        return [t for t in question.terms if t not in named and t not in _FILLER and t not in question.markers]

    def _swap_slots(self, previous: str, prev: Question, text: str, new: Question, place_in_note: bool = False) -> str | None:
        """The last question with the agency, province or year the follow-up names put in. A
        province is not added when the "(theo <document>)" note names it (`place_in_note`):
        the document is the scope, and the engine reads the question without it."""
        core = previous
        if new.agencies:
            old = next((s for s in (find_phrase(core, m.key) for m in prev.agencies) if s), None)
            core = _put(core, old, _as_written(text, new.agencies[0]), "đối với")
        if new.provinces:
            old = next((s for s in (find_phrase(core, fold(p)) for p in prev.provinces) if s), None)
            if old:
                core = _put(core, old, new.provinces[0], "ở tỉnh")
            elif not place_in_note:
                core = _before_question(core, f"ở tỉnh {new.provinces[0]}")
        if new.years:
            olds = [m.span() for m in re.finditer(r"\b20\d\d\b", core)]
            core = _put(core, olds[-1] if olds else None, str(new.years[0]), "năm")
        return core if (new.agencies or new.provinces or new.years) else None

    def _add_agency(self, core: str, prev: Question) -> str:
        phrase = _as_written(self.last.text if self.last else "", prev.agencies[0])
        anaphor = _AGENCY_ANAPHORA.search(core)
        if anaphor:
            return core[: anaphor.start()] + phrase + core[anaphor.end():]
        folded = fold(core)
        if _VERB_FIRST.match(folded):
            return f"{phrase} {core[:1].lower()}{core[1:]}"
        where = _QUESTION_WORD.search(folded) if len(folded) == len(core) else None
        if where:
            return core[: where.start()] + f" của {phrase}" + core[where.start():]
        return _unquestion(core) + f" của {phrase}"

    def _carry_place(self, core: str, prev: Question, new: Question) -> str:
        if prev.provinces and not new.provinces and not (self.last and self.last.document):
            core = _unquestion(core) + f" ở tỉnh {prev.provinces[0]}"
        if prev.years and not new.years and not (self.last and self.last.document):
            core = _unquestion(core) + f" năm {prev.years[0]}"
        return _question(core)

    def _document_if_consistent(self, document: str | None, new: Question) -> str | None:
        """Keep the carried document unless the follow-up moves to another province or year."""
        if document is None:
            return None
        entry = self.library.documents.get(document)
        if entry is None or (self.scope is not None and document not in self.scope):
            return None
        if new.provinces and entry.province not in new.provinces:
            return None
        if new.years and entry.year not in new.years:
            return None
        return document

    def _with_document(self, core: str, document: str | None, documents: Sequence[str] = ()) -> str:
        if not document:
            return f"{core} (trong {len(documents)} văn bản vừa trích dẫn)" if len(documents) > 1 else core
        name = document_heading(self.library.documents[document], document)
        return f"{core} (theo {name[:1].lower() + name[1:] if _is_common(name) else name})"


def _put(core: str, old: tuple[int, int] | None, value: str, connective: str) -> str:
    """`value` in place of the span `old`, or appended after `connective` when there is none."""
    if old:
        return core[: old[0]] + value + core[old[1]:]
    return _question(_unquestion(core) + f" {connective} {value}")


def _before_question(core: str, phrase: str) -> str:
    """ "Hạn báo cáo của Sở Y tế ở tỉnh Tuyên Quang là khi nào?": `phrase` before "là <question
    word>", else at the end."""
    folded = fold(core)
    where = _COPULA_QUESTION.search(folded) if len(folded) == len(core) else None
    if where:
        return core[: where.start()] + f" {phrase}" + core[where.start():]
    return _question(_unquestion(core) + f" {phrase}")


def _as_written(text: str, match: AgencyMatch) -> str:
    """The agency as the user wrote it in `text` (else as the documents name it), capitalised."""
    span = find_phrase(text, match.key)
    return capitalize_first(text[span[0]:span[1]] if span else match.name)


def find_phrase(text: str, key: str) -> tuple[int, int] | None:
    """Where an agency/province key (folded words) occurs in `text`, accent-insensitively.

    Falls back to the longest run of two or more of its words ("Công an" for "công an tỉnh").
    """
    folded = fold(text)
    if len(folded) != len(text) or not key:
        return None
    words = key.split()
    for size in range(len(words), 1 if len(words) > 1 else 0, -1):
        for start in range(0, len(words) - size + 1):
            found = re.search(_phrase_pattern(words[start : start + size]), folded)
            if found:
                return found.start(), found.end()
    return None


def _phrase_pattern(words: list[str]) -> str:
    """Words separated by any punctuation; "uy ban nhan dan" also matches "UBND"."""
    body = r"[\W_]+".join(re.escape(w) for w in words)
    ubnd = r"[\W_]+".join(("uy", "ban", "nhan", "dan"))
    body = body.replace(ubnd, "(?:" + ubnd + "|ubnd)")
    return r"(?<!\w)" + body + r"(?!\w)"


def _between(text: str, start: int, end: int) -> str:
    """`text[start:end]` trimmed, when offsets into its folded form are offsets into it."""
    return text[start:end].strip(" ,") if len(fold(text)) == len(text) else ""


def _strip_opener(text: str) -> str:
    folded = fold(text)
    match = _OPENER.match(folded)
    rest = text[match.end():] if match and len(folded) == len(text) else text
    return capitalize_first(rest.strip(" ,"))


def _unquestion(text: str) -> str:
    return text.rstrip().rstrip("?.! ").rstrip()


def _question(text: str) -> str:
    return capitalize_first(_unquestion(text)) + "?"


def _is_common(name: str) -> bool:
    return fold(name).split(" ", 1)[0] in ("ke", "quyet", "nghi", "chi", "thong", "cong", "bao", "huong")


# ----------------------------------------------------------------------------- one turn


@dataclass
class Prepared:
    """A message read and placed in the conversation, before anything is searched."""

    message: str
    asked: str  # the question the engine will answer (no "(theo …)" note: the scope says that)
    understood_as: str | None  # shown to the user when it differs from what they typed
    sources: list[str] | None  # scope: None = every document
    document: str | None  # carried over from the last turn
    remembered: str  # the question a later follow-up builds on (no "(theo …)" note)
    filters: Filters = field(default_factory=Filters)  # the filters the question was answered under
    notices: list[str] = field(default_factory=list)  # said before the answer (a filter the question overrode)
    small_talk: SmallTalk | None = None  # a greeting, thanks or question about the assistant
    carried: bool = False  # `sources` are the last answer's documents: searched again unscoped if they have nothing


@dataclass
class Turn:
    """One exchange as the session keeps it (plain data: it lives in the browser and in feedback)."""

    question: str
    asked: str
    understood_as: str | None
    answer: str
    citations: list[dict[str, Any]]
    abstained: bool
    filters: dict[str, list[str]]
    build_id: str = ""
    context: dict[str, Any] | None = None  # LastTurn for the next follow-up; None if rejected
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # feedback on a retried answer is new feedback
    notices: list[str] = field(default_factory=list)  # "Không có kế hoạch năm 2025; dưới đây là …"
    kind: str = "answer"  # "answer", "approved" (an administrator's, see present/approved.py), "help" (small talk) or "rejected"
    answerer: str = ""  # the engine's answerer ("retrieved": a fallback of best passages); "approved:<id>"
    refusal: str = ""  # how a refusal was proven (the engine's `refusal`)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})


NO_DOCUMENT_IN_FILTER = (
    "Không có văn bản nào khớp bộ lọc đang chọn (văn bản, tỉnh, năm). "
    "Hãy bỏ bớt điều kiện trong “Phạm vi tìm kiếm”."
)
# Words a question uses for a kind of document ("kế hoạch năm 2025"), folded → as shown.
_DOCUMENT_KINDS = {
    "ke hoach": "kế hoạch", "nghi quyet": "nghị quyết", "quyet dinh": "quyết định", "chi thi": "chỉ thị",
    "cong van": "công văn", "thong bao": "thông báo", "huong dan": "hướng dẫn", "bao cao": "báo cáo",
}


def last_context(turns: Sequence[dict[str, Any]]) -> LastTurn | None:
    """The most recent answered turn a follow-up can refer to."""
    for turn in reversed(turns):
        context = turn.get("context")
        if context:
            return LastTurn(**context)
    return None


def prepare(engine: PolicyQueryEngine, message: str, last: LastTurn | None, filters: Filters) -> Prepared:
    """Read the message and resolve it against the last turn and the filters. Raises QuestionRejected.

    A question that names a province, year or document the filters exclude is answered for the
    question, and the overridden filter is named; a question for a year no document has is
    answered from the document it names, and the answer says which year that is."""
    try:
        text, changed = engine.read(message)
    except NotAQuestion as nonsense:  # the engine's reader refuses it; front ends handle one kind of refusal
        raise QuestionRejected(str(nonsense)) from None
    library = engine.library
    chat = small_talk(text)
    if chat is not None:
        return Prepared(message, text, None, None, None, text, filters, small_talk=chat)
    follow = Conversation(library, filters.sources(library), last).follow_up(text)
    core = follow.question if follow else text
    effective, notices = _yield_filters(filters, understand(core, library), library)
    sources = effective.sources(library)
    if sources == []:
        raise QuestionRejected(NO_DOCUMENT_IN_FILTER)
    if follow is None:
        prepared = Prepared(message, text, text if changed else None, sources, None, text, effective, notices)
    else:
        carried = [s for s in follow.documents if sources is None or s in sources]
        narrowed = carried or sources
        prepared = Prepared(message, follow.question, follow.text, narrowed, follow.document, follow.question, effective, notices, carried=bool(carried))
    scoped = understand(prepared.asked, library, prepared.sources)
    if scoped.conflicting_year is not None and scoped.sources:
        # No edition of the named document for that year: answer from the editions there are.
        prepared.asked = _without_year(prepared.asked, scoped.conflicting_year)
        prepared.sources = list(scoped.sources)
    return prepared


def _yield_filters(filters: Filters, question: Question, library: Library) -> tuple[Filters, list[str]]:
    """The filters without the parts the question contradicts, and a line naming each."""
    if not filters.active:
        return filters, []
    kept = Filters(list(filters.documents), list(filters.provinces), list(filters.years))
    notices: list[str] = []
    if filters.provinces and question.provinces and not set(question.provinces) & set(filters.provinces):
        kept.provinces = []
        kept.documents = [s for s in kept.documents if library.documents[s].province in question.provinces]
        notices.append(
            f"Câu hỏi nói về {_joined(question.provinces)} nên được trả lời theo {_joined(question.provinces)}, "
            f"không theo bộ lọc tỉnh đang chọn ({_joined(filters.provinces)})."
        )
    asked_years = [str(y) for y in question.years if y in library.years]
    if filters.years and asked_years and not set(asked_years) & set(filters.years):
        kept.years = []
        kept.documents = [s for s in kept.documents if str(library.documents[s].year or "") in asked_years]
        notices.append(
            f"Câu hỏi nói về năm {_joined(asked_years)} nên được trả lời theo năm đó, "
            f"không theo bộ lọc năm đang chọn ({_joined(filters.years)})."
        )
    named = question.sources if 0 < len(question.sources) < len(library.documents) else []
    if kept.documents and named and not set(named) & set(kept.documents):
        kept.documents = []
        notices.append("Câu hỏi nêu văn bản khác với văn bản đang chọn trong bộ lọc, nên được trả lời theo văn bản được hỏi.")
    return kept, notices


def _without_year(text: str, year: int) -> str:
    return collapse_spaces(re.sub(rf"\s*(?:\b[Nn]ăm\s+)?\b{year}\b", "", text))


def _joined(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def answered_notices(library: Library, asked: str, filters: Filters, citations: Sequence[dict[str, Any]]) -> list[str]:
    """One line when the cited documents are of another year or province than the one asked for."""
    cited = [library.documents[s] for s in dict.fromkeys(str(c.get("source")) for c in citations) if s in library.documents]
    if not cited:
        return []
    question = understand(asked, library)
    notices: list[str] = []
    years = [int(y) for y in question.years] or [int(y) for y in filters.years]
    if years and not any(d.year in years or any(str(y) in d.title for y in years) for d in cited):
        kind = next((shown for key, shown in _DOCUMENT_KINDS.items() if re.search(rf"\b{key}\b", question.folded)), "văn bản")
        found = _joined(dict.fromkeys(_described(d) for d in cited))
        notices.append(f"Không có {kind} năm {_joined(years)}; dưới đây là {found}.")
    provinces = question.provinces or filters.provinces
    shown_provinces = [d.province for d in cited if d.province]
    if provinces and shown_provinces and not set(shown_provinces) & set(provinces):
        notices.append(
            f"Không có văn bản của {_joined(provinces)}; dưới đây là văn bản của {_joined(dict.fromkeys(shown_provinces))}."
        )
    return notices


def substitution_refusal(library: Library, asked: str, filters: Filters, citations: Sequence[dict[str, Any]]) -> str | None:
    """The refusal for an answer drawn from another year that also misses the body or the value
    asked ("Kinh phí năm 2027 cho Sở Y tế là bao nhiêu?" answered by the Sở Tài chính's 2023
    clause without an amount); None when the answer stands (with its notice: a newer or older
    plan of the same body is what the user wants)."""
    cited = [library.documents[s] for s in dict.fromkeys(str(c.get("source")) for c in citations) if s in library.documents]
    if not cited:
        return None
    question = understand(asked, library)
    years = [int(y) for y in question.years] or [int(y) for y in filters.years]
    if not years or any(d.year in years or any(str(y) in d.title for y in years) for d in cited):
        return None
    passages = [f"{c.get('heading_path') or ''}\n{c.get('quote') or ''}" for c in citations]
    missing = [f"không có văn bản năm {_joined(years)}"]
    bodies = [m for m in question.agencies if not any(find_phrase(text, m.key) for text in passages)]
    if bodies:
        missing.append(f"các văn bản hiện có không nói tới {_joined(b.name for b in bodies)} ở nội dung này")
    value = _VALUES.get(question.primary)
    if value is not None and not any(value[0].search(_NOT_A_VALUE.sub(" ", str(c.get("quote") or ""))) for c in citations):
        missing.append(f"không đoạn nào nêu {value[1]}")
    if len(missing) == 1:
        return None
    held = sorted({d.year for d in library.documents.values() if d.year})
    span = f"năm {held[0]}–{held[-1]}" if len(held) > 1 else (f"năm {held[0]}" if held else "")
    places = _joined(sorted({d.province for d in library.documents.values() if d.province}))
    nearest = citations[0]
    where = section_name(str(nearest.get("section") or ""), _last_heading(str(nearest.get("heading_path") or "")))
    return (
        f"Không tìm thấy câu trả lời: {'; '.join(missing)}. "
        f"Hiện có {len(library.documents)} văn bản {span}{f' ({places})' if places else ''}; "
        f"đoạn gần nhất là {where} của {_described(cited[0])}, nhưng đó không phải điều được hỏi."
    )


# What an answer of a kind must state to be one ("bao nhiêu tiền" → an amount).
_VALUES = {MONEY: (AMOUNT, "số tiền"), NUMBER: (re.compile(r"\d"), "con số")}
# Digits that are not a value: a document's number and date, a date, a year.
_NOT_A_VALUE = re.compile(r"(?:số|Số)\s+[\w/\-]+|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:19|20)\d\d\b")


def _last_heading(path: str) -> str:
    last = path.split("›")[-1].strip() if path else ""
    return re.sub(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[\.\)]\s*", "", last).strip().rstrip(":")


def _described(entry: DocumentEntry) -> str:
    """ "kế hoạch năm 2023": the kind a document calls itself (its title's first words), and its year."""
    folded = fold(entry.title)
    kind = next((shown for key, shown in _DOCUMENT_KINDS.items() if folded.startswith(key)), (entry.doc_type or "văn bản").lower())
    return f"{kind} năm {entry.year}" if entry.year else f"{kind} “{entry.title}”"


def answer(engine: PolicyQueryEngine, prepared: Prepared, filters: Filters, last: LastTurn | None = None) -> Turn:
    if prepared.small_talk is not None:
        return Turn(
            question=prepared.message, asked=prepared.asked, understood_as=None, answer=help_reply(prepared.small_talk, EXAMPLES),
            citations=[], abstained=False, filters=filters.as_dict(), build_id=engine.library.build_id,
            context=asdict(last) if last else None, kind="help",
        )
    response = engine.ask(prepared.message, scope=Scope(sources=prepared.sources) if prepared.sources else None, understood=prepared.asked)
    meta = response.metadata or {}
    if prepared.carried and meta.get("abstained"):
        # The last answer's documents say nothing of it: the follow-up is asked of every document
        # the filters allow, and the note about the documents it was read in is dropped.
        everywhere = prepared.filters.sources(engine.library)
        response = engine.ask(prepared.message, scope=Scope(sources=everywhere) if everywhere else None, understood=prepared.asked)
        meta = response.metadata or {}
        prepared.understood_as = prepared.asked
    citations = [dict(c) for c in meta.get("citations", [])]
    text = response.response or ""
    abstained = bool(meta.get("abstained"))
    conversation = Conversation(engine.library, filters.sources(engine.library))
    notices = list(prepared.notices) + answered_notices(engine.library, prepared.remembered, prepared.filters, citations)
    missing = substitution_refusal(engine.library, prepared.remembered, prepared.filters, citations)
    if missing is not None:  # another year's passage about another body or without the value: not an answer
        text, citations, abstained, notices = missing, [], True, list(prepared.notices)
    conversation.remember(prepared.remembered, [str(c.get("source")) for c in citations], prepared.document)
    return Turn(
        question=prepared.message,
        asked=prepared.asked,
        understood_as=prepared.understood_as,
        answer=text,
        citations=citations,
        abstained=abstained,
        filters=filters.as_dict(),
        build_id=engine.library.build_id,
        context=asdict(conversation.last) if conversation.last else None,
        timings_ms=dict(meta.get("timings_ms", {})),
        notices=notices,
        answerer=str(meta.get("answerer") or ""),
        refusal=str(meta.get("refusal") or "") if missing is None else "substitution",
    )


def rejected(message: str, reason: str, filters: Filters) -> Turn:
    return Turn(
        question=message, asked=message, understood_as=None, answer=reason, citations=[], abstained=True,
        filters=filters.as_dict(), kind="rejected",
    )
