"""Stage 4a, understand: what a question asks for, about whom, and where to look.

No LLM: the documents' own vocabulary is the model. Agencies are matched against the agency
names the index found in headings, provinces against the national list, documents against their
titles; the kind of answer (tasks, a date, a figure, a signer…) decides what counts as an answer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from importlib import resources

from assistant.documents.agencies import agency_identity, agency_key, canonical_names
from assistant.documents.references import DocumentReference, UnitReference, asked_documents, asked_entries, asked_units
from assistant.documents.vocabulary import document_kinds
from assistant.index.library import Library, title_phrases
from assistant.places import find_provinces, known_provinces, without_provinces
from assistant.text import capitalize_first, collapse_spaces, fold, has_diacritics, loanword_stems, tokens, unify_tones

AGENCY, DEADLINE, NUMBER, MONEY, METADATA, COMPARISON, GENERAL = (
    "agency", "deadline", "number", "money", "metadata", "comparison", "general",
)
DURATION, DEFINITION, PROCEDURE, VALIDITY, ARTICLE = "duration", "definition", "procedure", "validity", "article"
FREQUENCY = "frequency"  # "hằng tháng", "định kỳ": asks when, unless the question asks a figure
TIME = {DEADLINE, DURATION}


@lru_cache(maxsize=1)
def _question_phrases() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """(intent → phrases, metadata field → phrases, intent → phrases that only mark the kind),
    from data/question_kinds.tsv; written with accents."""
    intents: dict[str, list[str]] = {}
    fields: dict[str, list[str]] = {}
    markers: dict[str, list[str]] = {}
    text = resources.files("assistant.data").joinpath("question_kinds.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "\t")):
            continue
        kind, phrases, *flags = line.split("\t")
        name = kind.removeprefix("meta:")
        phrases = unify_tones(phrases)
        (fields if kind.startswith("meta:") else intents).setdefault(name, []).append(phrases)
        if "subject" not in flags:
            markers.setdefault(METADATA if kind.startswith("meta:") else name, []).append(phrases)
    return intents, fields, markers


def _compile(groups: list[str], accented: bool) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(g if accented else fold(g) for g in groups) + r")\b")


@lru_cache(maxsize=2)
def _question_kinds(accented: bool) -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]], dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
    """(intent, metadata field, kind markers, subject phrases) patterns, for a question typed with or
    without accents."""
    intents, fields, markers = _question_phrases()
    subjects = {k: [p for p in v if p not in markers.get(k, [])] for k, v in intents.items()}
    return (
        {k: _compile(v, accented) for k, v in intents.items()},
        {k: _compile(v, accented) for k, v in fields.items()},
        {k: _compile(v, accented) for k, v in markers.items()},
        {k: _compile(v, accented) for k, v in subjects.items() if v},
    )


@lru_cache(maxsize=None)
def intent_words(intent: str, markers_only: bool = True) -> frozenset[str]:
    """All the (accent-free) words of a kind's phrases. Prefer `Question.markers`, the words that
    marked the kind in that very question."""
    intents, _, markers = _question_phrases()
    groups = markers.get(intent, []) if markers_only else intents.get(intent, [])
    words: set[str] = set()
    for group in groups:
        words.update(re.findall(r"[a-z]+", fold(re.sub(r"\(\?[!=<][^)]*\)|\(\?:", " ", group))))
    return frozenset(words)


FORM_WORDS = re.compile(r"\b(mau|phu luc|bieu|danh muc|phieu|bang)\b")  # folded
BLANK = re.compile(r"\.{5,}|…{3,}|_{5,}")  # a form's blank to fill in ("Ông/bà …………")


def asks_for_form(question: Question) -> bool:
    """A question about a form, an appendix or a list ("Mẫu số 24", "phụ lục", "danh mục")."""
    return bool(FORM_WORDS.search(question.folded))


@lru_cache(maxsize=1)
def accented_stopwords() -> frozenset[str]:
    text = resources.files("assistant.data").joinpath("question_stopwords.txt").read_text("utf-8")
    return frozenset(unify_tones(w) for line in text.splitlines() if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop words without accents: for questions typed without them (and folded terms)."""
    return frozenset(fold(w) for w in accented_stopwords())


def content_tokens(text: str) -> list[str]:
    """The folded words of a question that may say what it is about. With accents typed, stop words
    are recognised with them ("cái" goes, "cai nghiện" stays); without, by their folded form."""
    accented = tokens(unify_tones(text).lower())
    if has_diacritics(text):
        return [fold(t) for t in accented if t not in accented_stopwords()]
    return [fold(t) for t in accented if fold(t) not in stopwords()]


_DOC_WORDS = re.compile(r"\b(ke hoach|nghi quyet|quyet dinh|van ban|cong van|chi thi|kh|nq|qd|bo luat|(?<!phap )luat|phap lenh|nghi dinh|thong tu)\b")
# Kinds a title only cites ("Kế hoạch triển khai thi hành Luật …", "Nghị định … hướng dẫn Luật …"):
# a document is of one of these kinds by its own kind line, not by the words of its title.
_NORMATIVE_KINDS = frozenset({"bo luat", "luat", "phap lenh", "nghi dinh", "thong tu"})


# An agency-like phrase the index does not know ("Sở Du lịch", "Bộ Y tế") means the question is
# about someone no document assigns anything to.
_AGENCY_HEAD_RE = re.compile(
    r"(?<!\w)(Ban(?=\s+[A-ZĐÂĂÊÔƠƯ])|Sở|sở|Bộ|Cục|Chi cục|Trung tâm|Viện|Hội|Đoàn|Văn phòng|Ủy ban|Uỷ ban|UBND|Đài|Công an|Tòa án|Toà án|Liên đoàn|Hải quan|Tổng cục)(?=\s)"
)
# Lower-case words that continue a body's name ("Tòa án nhân dân tối cao", "Công an cấp xã").
_NAME_WORDS = set("nhan dan tinh huyen xa thanh pho cap toi cao cac quoc gia trung uong quan thi tran phuong bien phong".split())
_NAME_STOP = set(
    "phai lam gi co can duoc thi o trong the nao nhu nao ra sao nhiem vu trach nhiem cua la va voi theo khi tai nam thang ngay dong vai tro giao gi ma khong nay do kia nhung cac".split()
)


@dataclass
class AgencyMatch:
    key: str
    name: str


@dataclass
class Question:
    text: str
    folded: str
    intents: set[str] = field(default_factory=set)
    metadata_field: str | None = None
    metadata_fields: list[str] = field(default_factory=list)
    agencies: list[AgencyMatch] = field(default_factory=list)
    unknown_agencies: list[str] = field(default_factory=list)
    authored: list[str] = field(default_factory=list)  # documents issued by a body the question names as their author
    authors: list[str] = field(default_factory=list)  # that body's key: its words name where to look, they do not ask
    provinces: list[str] = field(default_factory=list)
    unknown_provinces: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # provinces no document is of, but some text names (a national table's column)
    years: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # documents the question restricts itself to
    compared: list[str] = field(default_factory=list)  # all documents a comparison spans, when answering one of them
    conflicting_year: int | None = None  # "Tháng hành động năm 2024" when only 2023's is indexed
    terms: list[str] = field(default_factory=list)  # folded content words, for scoring passages
    asks_value: bool = False  # "bao nhiêu", "mấy", "%": a figure is asked for, not only named ("chỉ tiêu", "tỷ lệ")
    asks_tasks: bool = False  # "phải làm gì", "nhiệm vụ": the whole responsibility block answers
    markers: set[str] = field(default_factory=set)  # folded words that only marked the question's kind ("khi", "nào")
    comparison_markers: set[str] = field(default_factory=set)  # "khác", "so sánh": they compare, they ask nothing
    subjects: dict[str, list[str]] = field(default_factory=dict)  # kind → phrases naming what is asked ("tien an")
    units: list[UnitReference] = field(default_factory=list)  # "khoản 2 Điều 30"
    entries: list[str] = field(default_factory=list)  # appendix units named by code: "mẫu số 05", "chỉ tiêu 504"
    documents_asked: list[DocumentReference] = field(default_factory=list)  # "Nghị định 116", "TT 18/2021"
    missing_documents: list[str] = field(default_factory=list)  # asked by number, not indexed
    term: str = ""  # what "… là gì?" asks to define, folded
    search_text: str = ""  # what retrieval searches with: the question without the names of the documents it restricts to
    named_sources: bool = False  # `sources` were named by the question (number or title), not only filtered by place or year

    @property
    def primary(self) -> str:
        for intent in (COMPARISON, METADATA, VALIDITY, ARTICLE, DEFINITION, MONEY, DEADLINE, DURATION, NUMBER, PROCEDURE, AGENCY):
            if intent in self.intents:
                return intent
        return GENERAL


def understand(text: str, library: Library, scope: list[str] | None = None) -> Question:
    """`scope` is the session's document filter (web chat); questions may narrow it further.

    A chat message is understood several times (as a follow-up, against the previous turn, by
    the engine), so results are kept per index; treat the returned Question as read-only.
    """
    key = (text, tuple(scope) if scope is not None else None)
    question = library.understood.get(key)
    if question is None:
        if len(library.understood) > 1024:
            library.understood.clear()
        question = library.understood[key] = _understand(text, library, scope)
    return question


def _understand(text: str, library: Library, scope: list[str] | None) -> Question:
    folded = collapse_spaces(fold(text))
    question = Question(text=text, folded=folded)
    accented = has_diacritics(text)
    probe = collapse_spaces(unify_tones(text).lower()) if accented else folded  # the words as typed
    intents, fields, markers, subjects = _question_kinds(accented)
    for intent, pattern in intents.items():
        if pattern.search(probe) and intent not in ("tasks", "value_asked"):
            question.intents.add(intent)
    # "trước khi Giám đốc ký ban hành …": a signing the question tells of, in a clause of time, is not
    # the signer asked
    told = probe
    if len(fold(probe)) == len(probe):  # the folded text's spans are the typed text's
        for found in reversed(list(_TOLD_SIGNING.finditer(fold(probe)))):
            told = told[: found.start()] + " " * (found.end() - found.start()) + told[found.end():]
    question.metadata_fields = [name for name, pattern in fields.items() if pattern.search(probe) and (name != "signer" or pattern.search(told))]
    for intent, pattern in markers.items():
        for match in pattern.finditer(probe):
            words = set(tokens(fold(match.group(0))))
            (question.comparison_markers if intent == COMPARISON else question.markers).update(words)
    for intent, pattern in subjects.items():
        question.subjects.setdefault(intent, []).extend(fold(m.group(0)) for m in pattern.finditer(probe))
    if question.metadata_fields:  # "do ai ký và ban hành ngày nào?" asks two facts
        question.metadata_field = question.metadata_fields[0]
        question.intents.add(METADATA)
    if question.metadata_field == "effective":
        question.intents.discard(VALIDITY)
    if set(question.metadata_fields) & {"signer", "issuer"} and re.search(r"\b(ngay nao|khi nao|bao gio)\b", folded) and "doc_date" not in question.metadata_fields:
        question.metadata_fields.append("doc_date")  # "do ai ký, ngày nào?": the signing date too
    if NUMBER in question.intents and DURATION in question.intents:
        # "bao nhiêu năm", "mấy lần" count time: a duration, not a figure of its own
        if not intents[NUMBER].search(intents[DURATION].sub(" ", probe)):
            question.intents.discard(NUMBER)
    if FREQUENCY in question.intents:
        question.intents.discard(FREQUENCY)
        if not question.intents & {MONEY, NUMBER}:
            question.intents.add(DEADLINE)
    if MONEY in question.intents:
        question.intents.discard(NUMBER)
    question.units = asked_units(folded)
    question.entries = asked_entries(text)
    if question.units:
        question.intents.add(ARTICLE)
    if DEFINITION in question.intents:
        question.term = defined_term(folded)
        if not question.term:
            question.intents.discard(DEFINITION)
    question.asks_value = bool(intents["value_asked"].search(probe))
    if NUMBER in question.intents and question.intents & {DEFINITION, COMPARISON} and not question.asks_value:
        question.intents.discard(NUMBER)  # "chỉ tiêu 503 được hiểu thế nào": a figure named, not asked

    _match_agencies(question, library)
    _authors(question, library)
    question.asks_tasks = bool(intents["tasks"].search(probe))
    if question.asks_tasks:
        question.intents.discard(DEFINITION)  # "Nhiệm vụ của Sở Y tế là gì?" asks for tasks, not a definition
    if question.agencies and (question.asks_tasks or not (question.intents - {COMPARISON})):
        question.intents.add(AGENCY)

    for name in find_provinces(text):
        if name in library.provinces:
            question.provinces.append(name)
        elif not any(fold(name) in fold(known) for known in library.provinces) and (
            not library.mentions(name, exact_case=True) or _DOC_WORDS.search(folded)
        ):
            # No document of this province; a national text may list every province, which answers
            # "tỉnh X được giao chỉ tiêu gì" but not "kế hoạch / nghị quyết của tỉnh X".
            question.unknown_provinces.append(name)
        elif name not in library.provinces:
            question.places.append(name)
    question.years = sorted({int(y) for y in re.findall(r"\b(20\d\d)\b", text)})

    question.sources = _restrict_sources(question, library, scope)
    question.search_text = _without_references(question, library)
    used = set()
    for key in [m.key for m in question.agencies] + question.authors:
        used.update(key.split())
    for province in question.provinces:
        used.update(fold(province).split())
    for reference in question.documents_asked:  # "Nghị định 116/2021": its words name, they do not ask
        used.update(tokens(fold(reference.text)))
    for unit in question.units:
        used.update({"dieu", "khoan", "diem", unit.article, unit.clause or "", unit.point or ""})
    question.terms = [t for t in content_tokens(text) if t not in used and not re.fullmatch(r"20\d\d", t) and len(t) > 1]
    return question


_DEFINES_AFTER = re.compile(r"(?:the nao la|khai niem(?: ve)?|dinh nghia(?: ve)?|hieu the nao ve|(?:duoc|bi) (?:coi|xem) la)\s+(.+)")
_DEFINES_BEFORE = re.compile(
    r"^(.+?)\s+(?:la gi|nghia la gi|duoc hieu|hieu the nao|hieu la|co nghia|duoc dinh nghia|la nhu the nao|"
    r"(?:bao )?gom (?:nhung|cac|co)(?: (?:ai|gi|don vi|loai|thanh phan|co quan|chat|noi dung))?)\b"
)
_TERM_CONTEXT = re.compile(r"\s+(?:theo|trong|khi|doi voi|tai|cua|duoc quy dinh|quy dinh)\s+")
_TERM_TAIL = re.compile(r"\s+(?:nhu the nao|the nao|ra sao|la gi|duoc hieu|hieu sao)$")
_TERM_LEAD = re.compile(r"^(?:(?:cho (?:em|toi|minh) hoi|xin hoi|hoi|vay|the|a|ad)\s+)+")


def defined_term(folded: str) -> str:
    """ "tái nghiện là gì theo Nghị định 116?" → "tai nghien"; "thế nào là người có nơi cư trú ổn
    định khi quản lý …" → "nguoi co noi cu tru on dinh"; "khái niệm dịch vụ cai nghiện" →
    "dich vu cai nghien"; "thế nào bị coi là tái nghiện?" → "tai nghien"."""
    text = collapse_spaces(re.sub(r"[\"“”'?!.,:;()]", " ", folded))
    for reference in asked_documents(text):  # "theo Nghị định 163/2026" names where, not what
        text = text.replace(reference.text, " ")
    text = collapse_spaces(text)
    match = _DEFINES_AFTER.search(text) or _DEFINES_BEFORE.search(text)
    if not match:
        return ""
    term = _TERM_LEAD.sub("", match.group(1).strip())
    parts = _TERM_CONTEXT.split(term)
    term = parts[0] if len(parts[0].split()) >= 2 or len(parts) == 1 else " ".join(parts[:2])
    term = _TERM_TAIL.sub("", term).strip()
    term = re.sub(r"(?:\s+(?:theo|trong|khi|tai|cua|o))+$", "", term)
    words = term.split()
    return " ".join(words[:8]) if 1 <= len(words) else ""


def _match_agencies(question: Question, library: Library) -> None:
    words = tokens(agency_key(question.text))
    joined = " ".join(words)
    aliased = f" {canonical_names(joined)} "
    best: dict[str, int] = {}
    phrase: dict[str, str] = {}
    for key in library.agency_names:
        key_words = key.split()
        identity = library.agency_identities[key]
        if f" {key} " in f" {joined} ":
            best[key], phrase[key] = len(key_words) + 100, key  # the full name
            continue
        if len(identity.split()) >= 2 and _names_whole(aliased, identity):
            best[key], phrase[key] = len(identity.split()) + 100, identity  # "Tỉnh đoàn", "Viện kiểm sát"
            continue
        run, matched = _longest_run(words, key_words)
        # "cơ quan tiếp nhận …" names no body: a partial name of generic words ("cơ quan", "ủy ban")
        # is the start of many; it names one only with a word of its own ("Sở Y tế", "biên phòng").
        specific = any(w not in _GENERIC_NAME_WORDS for w in matched)
        at_head = matched == key_words[:run] and _starts_at_head(words, key_words, run)  # the run found is the name's start
        if run >= 2 and (specific or run >= 3) and (at_head or _distinctive(matched, library)):
            best[key], phrase[key] = run, " ".join(matched)
    for acronym in re.findall(r"\b[A-ZĐ][A-ZĐ&\-]{2,9}\b", question.text):
        key = library.agency_acronyms.get(fold(re.sub(r"[&\-]", "", acronym)))
        if key:
            best[key], phrase[key] = 100 + len(key.split()), key
    if best:
        top = max(best.values())
        chosen = [k for k, v in best.items() if v == top or (top >= 100 and v >= 100)]
        # A full match on "công an tỉnh" should not also pull in "đảng ủy công an tỉnh",
        # nor "công an" inside "đảng ủy công an tỉnh" when the question names the latter.
        kept: list[str] = []
        for key in sorted(chosen, key=len):
            if top >= 100:
                if not any(phrase[o] != phrase[key] and f" {phrase[key]} " in f" {phrase[o]} " for o in chosen):
                    kept.append(key)
            elif not any(other != key and f" {other} " in f" {key} " for other in chosen):
                kept.append(key)
        for key in kept:
            for same in [key, *library.same_agency(key)]:
                if same not in [a.key for a in question.agencies]:
                    question.agencies.append(AgencyMatch(same, library.agency_names[same]))
                    best.setdefault(same, best[key])
    _unknown_agencies(question, library)
    if question.unknown_agencies:
        # "Bộ Y tế" shares "y tế" with "Sở Y tế" but is another body: a partial match yields.
        unknown_words = {w for phrase in question.unknown_agencies for w in tokens(agency_key(phrase))}
        question.agencies = [
            a for a in question.agencies if best[a.key] >= 100 or not set(a.key.split()) & unknown_words
        ]


# "theo quy định của Bộ Y tế", "Thông tư 18/2021 của Bộ Y tế", "hướng dẫn của Bộ LĐ-TB&XH": a body named
# as the author of the rules asked about, not as the body asked about.
_AUTHORED = re.compile(
    r"\b(?:quy dinh|huong dan|ban hanh|van ban|thong tu(?: lien tich)?|nghi dinh|quyet dinh|ke hoach|cong van|nghi quyet|chi thi)"
    r"(?:\s+(?:so\s+)?[\w/.&-]+){0,2}\s+cua\s+(?P<name>.+)$"
)


def _authors(question: Question, library: Library) -> None:
    """A body the question names as the author of what it asks about ("Sáu tiêu chuẩn … theo quy định
    của Bộ Y tế", "theo Thông tư 18/2021 của Bộ Y tế, Công an tỉnh có trách nhiệm gì?") is not asked
    about: it says which documents to read — those it issued."""
    for match in list(question.agencies):
        issued = library.issued_by.get(match.key, [])
        if not issued:
            continue
        for found in _AUTHORED.finditer(question.folded):
            if f" {found.group('name')} ".startswith(f" {match.key} ") or agency_key(found.group("name")).startswith(match.key):
                question.agencies.remove(match)
                question.authors.append(match.key)
                question.authored.extend(s for s in issued if s not in question.authored)
                break


_TOLD_SIGNING = re.compile(r"\b(?:truoc|sau)?\s*khi\s+(?:[\w-]+\s+){0,5}?ky(?: ban hanh)?\b")


def _names_whole(text: str, name: str) -> bool:
    """`name` occurs in `text` and is not the start of another body's name ("ủy ban nhân dân"
    is not "ủy ban nhân dân huyện")."""
    for match in re.finditer(rf"(?<= ){re.escape(name)}(?= )", text):
        after = text[match.end():].split()[:1]
        if not after or after[0] not in _NAME_CONTINUATIONS - {"tinh"}:
            return True
    return False


def _unknown_agencies(question: Question, library: Library) -> None:
    identities = set(library.agency_identities.values())
    for match in _AGENCY_HEAD_RE.finditer(question.text):
        words_after = []
        cased = question.text != question.text.lower()
        for word in re.findall(r"[\wÀ-ỹ&-]+", question.text[match.end(1):])[:5]:
            if fold(word) in _NAME_STOP or (cased and word[:1].islower() and fold(word) not in _NAME_WORDS):
                break  # "Sở xét cấp …", "Tòa án tự trưng cầu …": a verb, not the rest of a name
            words_after.append(word)
        if not words_after:
            continue
        # "Văn phòng Chính phủ không" is known as soon as "Văn phòng Chính phủ" is.
        prefixes = [" ".join([match.group(1), *words_after[:n]]) for n in range(1, len(words_after) + 1)]
        known = any(
            library.mentions(form, exact_case=any(w[:1].isupper() for w in p.split()[1:])) for p in prefixes for form in formal_names(p)
        )
        known = known or any(agency_identity(agency_key(p)) in identities for p in prefixes)
        if not known and not any(f" {agency_key(prefixes[-1])} " in f" {k} " for k in library.agency_names):
            question.unknown_agencies.append(prefixes[-1])


_LEVEL = re.compile(r"^(?P<head>.+?)\s+(?P<level>tỉnh|huyện|xã|tinh|huyen|xa)(?P<rest>(?:\s.*)?)$", re.IGNORECASE)


def formal_names(phrase: str) -> list[str]:
    """ "Tòa án huyện" → itself, "Tòa án nhân dân huyện", "Tòa án cấp huyện", "Tòa án nhân dân cấp
    huyện": staff drop the "nhân dân" and "cấp" of a body's formal name at a level ("Viện kiểm sát
    tỉnh", "Công an huyện"); a body is unknown only if no form of its name is in the texts."""
    match = _LEVEL.match(phrase)
    if not match or re.search(r"\b(?:cấp|cap)$", match.group("head"), re.IGNORECASE):
        return [phrase]
    head, level, rest = match.group("head"), match.group("level"), match.group("rest")
    folded = fold(head).endswith("nhan dan")
    people = [""] if folded else ["", " nhân dân"]
    return [f"{head}{p}{c} {level}{rest}" for p in people for c in ("", " cấp")]


def _longest_run(words: list[str], key_words: list[str]) -> tuple[int, list[str]]:
    best: list[str] = []
    for i in range(len(words)):
        for j in range(len(key_words)):
            k = 0
            while i + k < len(words) and j + k < len(key_words) and words[i + k] == key_words[j + k]:
                k += 1
            if k > len(best):
                best = words[i : i + k]
    return len(best), best


_GENERIC_NAME_WORDS = set(
    "tinh so ban uy nhan dan cac huyen thanh pho xa phuong cong an dang hoi doan va cap co quan don vi "
    "tac quan ly luc luong chuc nang nganh dia tren trong cua ve".split()
)
# Words that continue an agency name: "Ủy ban nhân dân tỉnh" is not "Ủy ban nhân dân các huyện".
_NAME_CONTINUATIONS = set("tinh huyen xa cac thanh pho phuong trung uong".split())
_NAME_HEADS_BEFORE = set("phong uy ban so doan hoi dang".split())


def _distinctive(run: list[str], library: Library) -> bool:
    """ "biên phòng", "y tế": a pair of name words that only one or two agencies carry."""
    phrase = " ".join(run)
    if without_provinces(f" {phrase} ", "|") != f" {phrase} " or any(f" {phrase} " in f" {p} " for p in _province_keys()):
        return False  # "tỉnh Sơn La" (or "sơn" of it) names a place, not an agency
    specific = [w for w in run if w not in _GENERIC_NAME_WORDS]
    if not specific:
        return False
    holders = [k for k in library.agency_names if f" {phrase} " in f" {k} "]
    users = library._sources_with_words(phrase)
    everywhere = len(users) > max(1, len(library.documents) // 2)
    if not 0 < len(holders) <= 2 or everywhere:
        return False  # "ma túy" is in one body's name, and in every document
    # In an archive of every subject half of it is hundreds of documents: "kiểm tra" (of "Ủy ban
    # Kiểm tra Tỉnh ủy") is in hundreds of texts that name no such body. Two words name a body
    # only if at least one in AGENCY_RATIO of the documents using them names it in full.
    naming = sum(library.document_frequency(k, users) for k in holders)
    return len(users) <= AGENCY_RATIO * max(1, naming)


def _starts_at_head(words: list[str], key_words: list[str], run: int) -> bool:
    """The question names the start of this agency's name, and nothing that contradicts the rest."""
    head = key_words[:run]
    for i in range(len(words) - run + 1):
        if words[i : i + run] != head:
            continue
        before = words[i - 1] if i > 0 else ""
        after = words[i + run] if i + run < len(words) else ""
        expected = key_words[run] if run < len(key_words) else ""
        if before in _NAME_HEADS_BEFORE:
            continue  # "Văn phòng Ủy ban nhân dân tỉnh" is the Office, not the People's Committee
        if after in _NAME_CONTINUATIONS and after != expected:
            continue
        if key_words[run - 1] == "va" and after and after != expected:
            continue  # "Bộ Nông nghiệp và Phát triển…" is not "Bộ Nông nghiệp và Môi trường"
        return True
    return False


_TITLED = re.compile(r"(?<!\w)(?<!phap )(?<!theo phap )(bo luat|luat|phap lenh)\s+(?!so\b)([a-z][a-z0-9 ,\-]{3,80}?)(?=\s+(?:quy dinh|co |duoc|la |thi |ve |the nao|nhu|ap dung|thong qua)|\s*[?.]|$)")


def _without_references(question: Question, library: Library) -> str:
    """The question minus what named the documents searched ("Nghị định 116/2021/NĐ-CP", "kế hoạch
    tháng hành động"): inside them, the words of their own names rank every section that cites
    them above the one that answers."""
    text = question.text
    if not question.named_sources or len(text) != len(question.folded):
        return text
    for reference in question.documents_asked:
        start = question.folded.find(reference.text)
        if start >= 0:
            text = text[:start] + " " * len(reference.text) + text[start + len(reference.text) :]
    asked = title_phrases(question.folded)
    named = {w for s in question.sources for phrase in asked & library.title_phrases.get(s, set()) for w in phrase.split()}
    kept = [w for w in re.findall(r"[\w/%.-]+", text) if fold(w) not in named]
    return " ".join(kept) if len(kept) >= 2 else collapse_spaces(text)


def _missing_by_title(question: Question, library: Library) -> None:
    """ "Luật Phòng, chống ma túy năm 2025" when no law is indexed: recorded as missing, with the
    name as the question writes it (decrees citing that law do not stand in for it)."""
    indexed = {fold(d.doc_type) for d in library.documents.values()}
    cased = question.text != question.text.lower()
    for match in _TITLED.finditer(question.folded):
        written = question.text[match.start() : match.start() + 1] if len(question.text) == len(question.folded) else ""
        if match.group(1) in indexed or (cased and written.islower()):
            continue  # "vi phạm pháp luật liên quan…", "luật" in running text
        title = re.sub(r"\s+(?:nam\s+)?(?:19|20)\d\d\b.*$", "", f"{match.group(1)} {match.group(2)}")
        if library.identities.naming_title(title):
            continue  # a document heads itself with this title, whatever kind its metadata says
        name = question.text[match.start() : match.end()] if len(question.text) == len(question.folded) else match.group(0)
        question.missing_documents.append(capitalize_first(collapse_spaces(name).strip(" ,")))


def _asked_by_reference(question: Question, library: Library, candidates: list[str]) -> list[str] | None:
    """Documents the question names by kind and number ("NĐ 116/2021", "Thông tư 18"). A number that
    no indexed document carries is recorded as missing: the answer says so instead of using another."""
    question.documents_asked = asked_documents(question.folded)
    if not question.documents_asked:
        _missing_by_title(question, library)
        return None
    found: list[str] = []
    for reference in question.documents_asked:
        matching = [s for s in candidates if reference.matches(library.documents[s].doc_type, library.documents[s].number, library.documents[s].year)]
        # A parser may have missed a number its document states ("Luật số: 73/2021/QH14" in an
        # OCR fence): the documents' own heads are the proof, not the parsed fields alone.
        matching = matching or library.identities.stating_number(reference, candidates)
        if matching:
            found.extend(m for m in matching if m not in found)
        elif not any(reference.matches(d.doc_type, d.number, d.year) for d in library.documents.values()) and not library.identities.stating_number(reference):
            kind = reference.kind.name if reference.kind else "Văn bản"
            question.missing_documents.append(f"{kind} {reference.number}".strip())
    return found


def _restrict_sources(question: Question, library: Library, scope: list[str] | None) -> list[str]:
    candidates = [s for s in library.documents if not scope or s in scope]
    referenced = _asked_by_reference(question, library, candidates)
    if referenced:
        question.named_sources = True
        if COMPARISON in question.intents:
            # "Luật 73/2021 so với Luật Phòng, chống ma túy năm 2025", "… trong Luật … 2021 và trong
            # Nghị định 105/2021/NĐ-CP": one side named by number, the other by title, kind or year.
            rest = question.folded
            for reference in question.documents_asked:
                rest = rest.replace(reference.text, " ")
            unnamed = Question(**{**question.__dict__, "folded": collapse_spaces(rest)})
            others = _by_title_and_year(unnamed, library, [s for s in candidates if s not in referenced], record=False)
            referenced = referenced + [s for s in others if len(others) < len(candidates) - len(referenced)]
        return referenced if len(referenced) < len(library.documents) or scope else []
    if question.missing_documents:
        return []  # a document no indexed one is: a title that merely cites it does not stand in for it
    if question.provinces:
        in_province = [s for s in candidates if library.documents[s].province in question.provinces]
        candidates = in_province or candidates
    if question.authored:
        candidates = [s for s in candidates if s in question.authored] or candidates
    candidates = _by_title_and_year(question, library, candidates)
    return candidates if len(candidates) < len(library.documents) or scope else []


def _by_title_and_year(question: Question, library: Library, candidates: list[str], record: bool = True) -> list[str]:
    """The documents among `candidates` a question names by title or kind, dated by its years."""
    named, of_kind = _named_documents(question, library, candidates)
    if record:
        question.named_sources = bool(named)
    # A document's own year (its date, its number, its adoption) dates it; "nghị quyết không ma túy
    # 2030" dates a document by its title too, but a title's horizon ("thi hành Luật … năm 2025")
    # comes after a document of that very year. "Luật 2021 so với Luật 2025": a kind and a year
    # name the law of that year when no title does.
    own_year = [
        s for s in candidates
        if library.documents[s].year in question.years or any(library.identities.stating_year(s, y) for y in question.years)
    ]
    titled = [s for s in candidates if any(str(y) in library.documents[s].title for y in question.years)]
    if own_year or titled:
        for pool in (named, of_kind):
            chosen = [s for s in pool if s in own_year] or [s for s in pool if s in titled]
            if chosen:
                return chosen
        return own_year or titled
    if named:
        if record and question.years and all(library.documents[s].year is not None for s in named):
            question.conflicting_year = question.years[0]
        return named
    # "… theo Nghị quyết?", "trong Thông tư": with no title, number or year the kind still says where
    # to look — among several documents of that kind, not among every document of the archive.
    return of_kind or candidates


@lru_cache(maxsize=1)
def _province_keys() -> tuple[str, ...]:
    return tuple(fold(p) for p in known_provinces())


def _of_kind(library: Library, source: str, kind: str) -> bool:
    """ "kế hoạch biên giới": a Quyết định whose title is "Kế hoạch …" is a kế hoạch too; a law, an
    ordinance, a decree or a circular is one by its kind (parsed, or its own kind line when the
    parser missed it), never because its title cites one."""
    entry = library.documents[source]
    if kind in _NORMATIVE_KINDS:
        return fold(entry.doc_type) == kind or library.identities.states_kind(source, kind)
    return f" {kind} " in f" {fold(entry.doc_type)} {fold(entry.title)} "


# A title phrase names documents only if few documents use it in their text (or most of its uses
# are in the documents that carry it in their title): "quản lý", "tổ chức" are the subject of half
# an archive, not the name of one document.
NAMING_SHARE = 0.34
# ... and "few" is few beside the documents whose titles carry it: at least one document in
# NAMING_RATIO of those using the phrase carries it in its title. In an archive of every subject
# a third of it is hundreds of documents: "nông nghiệp" (5 titles, 119 texts), "mục tiêu",
# "cơ sở", "công an" are words of a question, not the name of the few documents titled with them.
# Below ~15 documents per title holder this is looser than NAMING_SHARE, so it changes nothing there.
NAMING_RATIO = 5
# The same for two words of an agency's name (`_distinctive`): looser than "half the archive"
# until an archive holds ~20 documents per document naming the body.
AGENCY_RATIO = 10


# "quyết định" is the act of deciding or a decision served, appealed, received or applied ("ra quyết
# định", "chấp hành xong quyết định", "khiếu nại quyết định của Chủ tịch …", "quyết định áp dụng biện
# pháp …", "có mấy ngày để quyết định chuyển hồ sơ") — checked first; it names a document where one is
# cited: "theo Quyết định …", "Quyết định số …", "Quyết định 140/…", "Quyết định về …", "… này", "… nào".
_ACT_BEFORE = re.compile(r"\b(?:ra|chap hanh|thi hanh|hoan|mien|huy|khieu nai|nhan|nhan duoc|gui|cong bo|tong dat|de)(?:\s+xong)?\s+$")
_ACT_AFTER = re.compile(r"^\s+(?:ap dung|dua|xu phat|tam giu|cuong che|chuyen|giao cho|cho phep|cap giay|thanh lap|huy bo|cua toa an)\b")
_CITED_BEFORE = re.compile(r"(?:^\s*|\b(?:theo|tai|cua|can cu|trong|va|hoac|voi|so voi|giua)\s+)$")
_CITED_AFTER = re.compile(r"^\s*(?:$|[,.?;:!)]|so\b|\d|ve\b|ban hanh\b|phe duyet\b|nay\b|nao\b|do\b|cua (?:ubnd|uy ban|thu tuong|chu tich|bo|so)\b|ubnd\b|uy ban\b|thu tuong\b|nam\b)")


def _kind_word(match: re.Match[str]) -> re.Match[str]:
    """The kind word of a `source_words` match, as a match of its own (for `_an_act`)."""
    found = _DOC_WORDS.match(match.string, match.start(1))
    assert found is not None
    return found


def _an_act(folded: str, match: re.Match[str]) -> bool:
    """Is this kind word an act rather than a document cited? Only "quyết định" is often both."""
    before, after = folded[: match.start()], folded[match.end():]
    if re.search(r"\bra\s+$", before):
        return True  # "ra quyết định", "ra nghị quyết"
    if match.group(0) != "quyet dinh":
        return False
    if _ACT_BEFORE.search(before) or _ACT_AFTER.match(after):
        return True
    return not (_CITED_BEFORE.search(before) or _CITED_AFTER.match(after))


def _named_documents(question: Question, library: Library, candidates: list[str]) -> tuple[list[str], list[str]]:
    """Documents the question names by type and distinctive title phrases ("kế hoạch biên giới"),
    and the documents of the kind it names as its source ("theo Luật …"), which a year may pick.

    A title phrase names the documents whose titles (or issuers) carry it unless most titles
    carry it ("kế hoạch", "ủy ban nhân dân") or most documents use it in their text anyway
    ("phòng, chống", "tổ chức"): document frequencies, not counts, so that one long decree
    repeating a phrase a hundred times does not change what names a plan.
    """
    if not candidates:
        return [], []
    kinds = {fold(k.name) for k in document_kinds()}
    asked = {g for g in title_phrases(question.folded) if g not in kinds}  # a kind names no document: `typed` weighs it
    titles = {s: library.title_phrases[s] for s in candidates}
    holders = {g: [s for s in candidates if g in titles[s]] for g in asked}
    naming = {
        g for g in asked
        if holders[g] and 2 * len(holders[g]) <= max(2, len(candidates))
        and (library.document_frequency(g, candidates) <= max(len(holders[g]), min(NAMING_SHARE * len(candidates), NAMING_RATIO * len(holders[g])))
             or library.phrase_share(g, holders[g], candidates) >= 0.5)
    }
    doc_words = {m.group(0) for m in re.finditer(_DOC_WORDS, question.folded) if not _an_act(question.folded, m)}
    # "theo Nghị quyết", "trong kế hoạch", "theo mục tiêu Nghị quyết", "Nghị quyết đặt …": the kind
    # names a source, not a thing the text is about ("hoãn chấp hành quyết định đưa vào …").
    source_words = {
        m.group(1) for m in re.finditer(r"(?:^|\b(?:theo|trong|tai|cua|can cu)(?:\s+\w+){0,2}\s+)" + _DOC_WORDS.pattern, question.folded)
        if not _an_act(question.folded, _kind_word(m))
    }
    scores: dict[str, int] = {}
    of_kind: list[str] = []
    for source in candidates:
        distinctive = titles[source] & naming
        typed = any(_of_kind(library, source, w) for w in doc_words)
        if any(_of_kind(library, source, w) for w in source_words):
            of_kind.append(source)
        if len(distinctive) >= 2 or (typed and distinctive):
            scores[source] = len(distinctive) + (1 if typed else 0)
    if of_kind and len(of_kind) < len(candidates):
        # "… của Nghị quyết", "Nghị quyết đặt mục tiêu …": the question says which kind of document
        # it asks about; a document of another kind sharing its title words is not the one named.
        scores = {s: v for s, v in scores.items() if s in of_kind}
    by_kind = of_kind if len(of_kind) < len(candidates) else []
    if not scores:
        # "theo Nghị quyết" when one document in scope is a Nghị quyết: that one
        return (of_kind if len(of_kind) == 1 and len(candidates) > 1 else []), by_kind
    if COMPARISON in question.intents or len(question.provinces) >= 2:
        return list(scores), by_kind
    if not doc_words and not question.years and not question.provinces:
        # Title words alone — no kind, year or place ("… phải chịu quản lý sau cai nghiện trong bao
        # lâu?") — say what the question is about, which a decree's title says too; they name no
        # document, and every document that speaks of it may answer.
        return [], by_kind
    top = max(scores.values())
    return [s for s, v in scores.items() if v >= top - 1], by_kind  # one stray shared word does not decide
