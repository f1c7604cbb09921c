"""Passages and how well they answer: the shared core of every answerer.

A passage is a verbatim piece of a section: a line (a clause, a point, a bullet), or one sentence
of a long paragraph. It answers a question as far as it covers the question's own words, weighted
by how rare each word is among the sections searched (a document's title words say nothing inside
that document), with its heading path counting half. A question that asks for a kind of answer (a
time, an amount) also requires the passage to hold one.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.documents.annexes import annex_list, titled_by_roster
from assistant.documents.load import APPENDIX_LINE, POINT_START, STRUCTURAL_START
from assistant.documents.naming import section_label
from assistant.documents.references import entry_code, entry_key
from assistant.documents.agencies import agency_key
from assistant.index.library import Library
from assistant.query.understand import BLANK, MONEY, NUMBER, TIME, Question, asks_for_form, tokens
from assistant.places import find_provinces
from assistant.text import UPPER, fold, has_diacritics, is_syllable, lost_tone, unify_tones

MAX_QUOTE_CHARS = 600
ITEM_SHARE = 0.9  # a lead's coverage through one item of its list, against a passage that says it all
LIST_CHARS = 1400  # a list introduced by "…gồm:" is quoted with its items up to about this length

# A sentence ends at "." or ";" before a capital, but not after "TP." / "TX." / "TT." ("phường
# Minh Xuân, TP. Tuyên Quang" is one place).
_SENTENCE_SPLIT = re.compile(r"(?<=[\.;])(?<!\bTP\.)(?<!\bTp\.)(?<!\bTX\.)(?<!\bTT\.)(?<!\bThS\.)\s+(?=[" + UPPER + r"\-–(])")
_LIST_ITEM = re.compile(r"^(?:[a-zđ]\)|[-+•–]|\d+\.\d+\.?)\s")
_CLAUSE = re.compile(r"^\d{1,3}\.\s")


@dataclass
class Passage:
    node: TextNode
    text: str
    score: float = 0.0

    @property
    def source(self) -> str:
        return str(self.node.metadata.get("source", ""))


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(part.strip() for part in _SENTENCE_SPLIT.split(line) if part.strip())
    return out


# A field's label on its own line ("4. Nguồn số liệu", "2. Phân tổ chủ yếu", "5. Cơ quan chịu trách
# nhiệm thu thập, tổng hợp"), its value on the lines under it: an appendix entry, a form's notes.
_FIELD_LABEL = re.compile(r"^\d{1,2}\.\s+[^.;:!?]{3,70}$")
FIELD_CHARS = 500  # a field quoted with its value, while short
_NUMBERED = re.compile(r"^(?:\d{1,4}(?:\.\d+)*\s*[\.\)]|[IVXLC]+\s*[\.\-–]|Điều\s+\d)\s")  # the next field or unit; a "- …" item is still this one's value


def field_units(text: str, clauses: bool = False) -> list[str]:
    """`units`, but each short numbered label line kept with the value lines under it (up to the
    next numbered line), as the document writes them: "4. Nguồn số liệu" alone answers nothing,
    "Báo cáo thống kê của Sở …" alone does not say what it is."""
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not _FIELD_LABEL.match(line):
            out.extend(units(line, clauses))
            continue
        value: list[str] = []
        while index < len(lines) and lines[index] and not _NUMBERED.match(lines[index]):
            value.append(lines[index])
            index += 1
        if value and len(line) + sum(len(v) + 1 for v in value) <= FIELD_CHARS:
            out.append("\n".join([line, *value]))
        else:
            out.extend(units("\n".join([line, *value]), clauses))
    return out


def units(text: str, clauses: bool = False) -> list[str]:
    """Passages to choose from: lines, with long lines split into sentences (or into clauses at
    ";" when the question asks for a figure, so the figure comes with its own subject)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) <= MAX_QUOTE_CHARS and not clauses:
            out.append(line)
            continue
        for sentence in sentences(line):
            parts = re.split(r"(?<=;)\s+", sentence) if clauses and len(sentence) > 200 else [sentence]
            out.extend(p for p in parts if len(p) > 15)
    return out


def block_units(text: str) -> list[str]:
    """An agency block as statements: the heading's own text (after "Sở X:") and each bullet/paragraph.
    A line that is only a heading ("1. Bộ Công an" above its points) says nothing of its own."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out: list[str] = []
    for i, line in enumerate(lines):
        rest = re.sub(r"^(?:Điều\s+)?\S+\s+", "", line, count=1)
        if i == 0 or (re.match(r"^\d{1,3}\.\s", line) and len(rest) < 80 and not rest.endswith((".", ";"))):
            if ":" in rest[:150]:
                tail = rest.split(":", 1)[1].strip()
                if len(tail) > 20:
                    out.append(tail)
            continue
        out.append(line)
    return out or lines


def with_list(node: TextNode, unit: str) -> str:
    """A passage that introduces a list ("Hồ sơ gồm:", "… trong các trường hợp sau đây:") with the
    items under it, up to the next clause: the items are the answer. A point ("a) Đối với người …
    thì Chủ tịch … lập hồ sơ …") with the paragraphs it goes on with ("Hồ sơ đề nghị gồm có …"),
    up to the next point: laws write a point's second rule as its own paragraph."""
    if POINT_START.match(unit.strip()):
        return _with_paragraphs(node, unit)
    if not unit.rstrip().endswith(":"):
        return unit
    lines = [line.strip() for line in node.get_content().split("\n")]
    try:
        start = next(i for i, line in enumerate(lines) if line.endswith(unit.strip()) or line == unit.strip())
    except StopIteration:
        return unit
    listed = annex_list(lines, start, LIST_CHARS)
    if listed is not None:  # "… các danh mục … sau đây:" / "Danh mục I: …", "Danh mục II: …"
        return "\n".join(listed)
    taken = [lines[start]]
    size = len(lines[start])
    # An article's unnumbered opening ("Công an cấp xã mở hồ sơ … bao gồm:", "Những tình tiết sau đây
    # là tình tiết giảm nhẹ:") lists the article's numbered clauses: they are its items.
    clauses = not _CLAUSE.match(lines[start]) and start + 1 < len(lines) and lines[start + 1].startswith("1. ")
    for line in lines[start + 1 :]:
        if clauses and _CLAUSE.match(line) and size + len(line) <= LIST_CHARS:
            taken.append(line)
            size += len(line) + 1
            continue
        if not line or _CLAUSE.match(line) or re.match(r"^Điều\s+\d", line) or size + len(line) > LIST_CHARS:
            break
        if not _LIST_ITEM.match(line) and taken[-1].endswith((".", ";")) and len(taken) > 1 and not line[:1].islower():
            break
        taken.append(line)
        size += len(line) + 1
    return "\n".join(taken)


# A row of a schedule or table as text: "4 | Heroin, Diacetylmorphine 561-27-3", "| 68 |Phenobarbital …";
# in an appendix, a short numbered line too.
_TABLE_ROW = re.compile(r"^\|?\s*\d{1,4}\s*\|")
_LISTED = re.compile(r"^\d{1,4}\s+\S")  # "9 Heroin Diacetylmorphine 561-27-3": a row laid out without rules
ROW_CHARS = 240
ROW_TITLE_CHARS = 160  # each enclosing title, as long as needed to say what the schedule is


def row_heading(node: TextNode, unit: str, annex_names: Mapping[tuple[str, str], str] | None = None) -> str | None:
    """The header to quote a table row under: its section with the titles of the units that hold it
    ("Phụ lục, Danh mục I, IA (Danh mục I. CÁC CHẤT MA TÚY TUYỆT ĐỐI CẤM … › IA. Các chất gây nghiện
    …):"). A row alone says "4 | Heroin"; which schedule it is in is the answer. A schedule the body
    names ("Danh mục I: Các chất ma túy tuyệt đối cấm …", `Library.annex_names`) is titled in the
    body's words: its own heading may be a scan's capitals. None for a unit that is no table row."""
    row = unit.strip()
    in_schedule = node.metadata.get("layout") == "appendix" and bool(_LISTED.match(row)) and len(row) <= ROW_CHARS
    if not (_TABLE_ROW.match(row) or in_schedule):
        return None
    titles = [t.strip() for t in str(node.metadata.get("heading_path", "")).split(" › ")[1:] if t.strip()]
    if not titles:
        return None
    source = str(node.metadata.get("source", ""))
    titles = [titled_by_roster(source, t, annex_names or {}) for t in titles]
    shown = " › ".join(t if len(t) <= ROW_TITLE_CHARS else t[:ROW_TITLE_CHARS].rsplit(" ", 1)[0] + " …" for t in titles)
    return f"{section_label(node)} ({shown}):"


CONTINUATION_CHARS = 700  # what a point's own further paragraphs may add


def _with_paragraphs(node: TextNode, unit: str) -> str:
    lines = [line.strip() for line in node.get_content().split("\n")]
    try:
        start = lines.index(unit.strip())
    except ValueError:
        return unit
    taken = [lines[start]]
    size = 0
    for line in lines[start + 1 :]:
        if not line or STRUCTURAL_START.match(line) or APPENDIX_LINE.match(line) or line.isupper() or size + len(line) > CONTINUATION_CHARS:
            break
        taken.append(line)
        size += len(line) + 1
    return "\n".join(taken)


# How deep a list marker sits: "1." › "1.1." › "a)" › "-" › "+" (a line with none: 0).
_MARKER_LEVELS = ((_CLAUSE, 1), (re.compile(r"^\d+\.\d+\.?\s"), 2), (POINT_START, 3), (re.compile(r"^[-–•]\s"), 4), (re.compile(r"^\+\s"), 5))


def _marker_level(line: str) -> int:
    return next((level for pattern, level in _MARKER_LEVELS if pattern.match(line)), 0)


def list_leads(text: str) -> dict[str, str]:
    """Each line of a nested list → the lines that open the lists it sits in ("a) … được trợ cấp
    các khoản sau:" › "- Tiền ăn:" above "+ Đối với người nghiện ma tuý 240.000 đồng/người/tháng …"):
    what the item is about is said by its leads, at every depth."""
    stack: list[tuple[int, str]] = []
    leads: dict[str, str] = {}
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        level = _marker_level(line)
        while stack and stack[-1][0] >= level:
            stack.pop()
        if stack:
            leads.setdefault(line, " ".join(lead for _, lead in stack))
        if line.endswith(":"):
            stack.append((level, line))
    return leads


def lead_of(node: TextNode, unit: str) -> str:
    """The clause a list item belongs to ("3. Chủ tịch Ủy ban nhân dân cấp xã có trách nhiệm:" above
    "a) Tiếp nhận đăng ký …"): the item alone does not say who or when. "" for a unit that is no
    item, or whose lead is not in this section."""
    if not _LIST_ITEM.match(unit.strip()):
        return ""
    lines = [line.strip() for line in node.get_content().split("\n")]
    try:
        at = lines.index(unit.strip())
    except ValueError:
        return ""
    for previous in reversed(lines[:at]):
        if previous.endswith(":") and not _LIST_ITEM.match(previous):
            return previous
        if not _LIST_ITEM.match(previous):
            return ""
    return ""


def clause_blocks(lines: Sequence[str]) -> list[str]:
    """Lines of an article grouped the way it is cited: each clause "1. …" with its points and
    bullets under it; text before the first clause stands alone."""
    blocks: list[list[str]] = []
    for line in (l.strip() for l in lines):
        if not line:
            continue
        continues = bool(blocks) and not blocks[-1][-1].endswith((".", ";", ":", "./."))  # a sentence a page break cut
        if blocks and not _CLAUSE.match(line) and (_LIST_ITEM.match(line) or continues):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return ["\n".join(block) for block in blocks]


def bigrams(folded: str) -> set[str]:
    words = tokens(folded)
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def accented_forms(question: Question, terms: Iterable[str]) -> dict[str, set[str]]:
    """Each (folded) term as the question wrote it, when it was typed with accents: "tàng trữ" is
    not the "tang" of "chịu tang", nor "phạt tù" the "phát" of "phát hiện". Empty when typed without."""
    if not has_diacritics(question.text):
        return {}
    written = tokens(unify_tones(question.text).lower())
    forms: dict[str, set[str]] = {}
    for word in written:
        forms.setdefault(fold(word), set()).add(word)
    for a, b in zip(written, written[1:]):
        forms.setdefault(f"{fold(a)} {fold(b)}", set()).add(f"{a} {b}")
    return {t: forms[t] for t in terms if t in forms}


def _sturdy(word: str) -> str:
    return f"{fold(word)}~" if lost_tone(word) else word


class _Words:
    """Which question terms a text has: with the question's own accents where it had them, unless
    the text itself lost its accents (an OCR'd or unaccented document, or one damaged word), else
    accent-free."""

    def __init__(self, text: str, typed_as: dict[str, set[str]]) -> None:
        folded = fold(text)
        self.folded = set(tokens(folded)) | bigrams(folded)
        self.typed_as = typed_as if typed_as and folded != text.lower() else {}
        if self.typed_as:
            written = [_sturdy(w) for w in tokens(unify_tones(text).lower())]
            self.written = set(written) | {f"{a} {b}" for a, b in zip(written, written[1:])}

    def has(self, term: str) -> bool:
        forms = self.typed_as.get(term)
        if forms:
            return any(self._says(form) for form in forms)
        return term in self.folded

    def _says(self, form: str) -> bool:
        """The form as typed, or with any of its words as a damaged word of the text would read."""
        if form in self.written:
            return True
        words = form.split()
        variants = [(w, f"{fold(w)}~") for w in words]
        return any(" ".join(choice) in self.written for choice in itertools.product(*variants))


def clip_quote(sentence: str, names: set[str]) -> str:
    """A long sentence is quoted from its clause that names the agency (still verbatim)."""
    if len(sentence) <= 300:
        return sentence
    clauses = re.split(r"(?<=[;:])\s+", sentence)
    for clause in clauses:
        if any(name in agency_key(clause) for name in names):
            return clause
    return sentence[:300].rsplit(" ", 1)[0]


class PassageFinder:
    """Finds and ranks the passages of retrieved sections that answer a question."""

    def __init__(self, library: Library) -> None:
        self.library = library
        # word counts per searched scope; bounded, since an archive has many possible scopes
        self._frequencies = lru_cache(maxsize=64)(self._count_frequencies)
        self._per_document: dict[str, Counter[str]] = {}
        self._unit_cache: dict[tuple[str, bool], list[tuple[str, str]]] = {}

    def _units(self, node: TextNode, clauses: bool) -> list[tuple[str, str]]:
        """A section's passages to choose from, each with the leads of the lists it sits in: cut
        once per section (every answerer and every part of a question reads the same sections)."""
        key = (node.node_id, clauses)
        found = self._unit_cache.get(key)
        if found is None:
            text = node.get_content()
            leads = list_leads(text)
            if node.metadata.get("layout") == "appendix":
                found = [(unit, leads.get(unit.split("\n", 1)[0].strip(), "")) for unit in field_units(text, clauses)]
            else:
                found = [(unit, leads.get(line.strip(), "")) for line in text.split("\n") for unit in units(line, clauses)]
            if len(self._unit_cache) >= UNIT_CACHE:
                self._unit_cache.clear()
            self._unit_cache[key] = found
        return found

    # ------------------------------------------------------------ term weights

    def idf(self, term: str, scope: Sequence[str] = (), accented: bool = False) -> float:
        """Rarity among the sections searched: inside one named document, its title words are
        everywhere and say nothing about which passage answers. `accented` counts words with their
        accents ("tàng" is rare even where "tăng" is everywhere)."""
        frequency, count = self._accented_frequencies if accented else self._frequencies(tuple(sorted(scope)))
        df = frequency.get(term, 0)
        return math.log(1 + (count - df + 0.5) / (df + 0.5))

    @property
    def _accented_frequencies(self) -> tuple[Counter[str], int]:
        _, accented, count = self.library.chunk_frequencies
        return accented, count

    def known(self, term: str) -> bool:
        return self._frequencies(())[0].get(term, 0) > 0

    def rare_terms(self, question: Question) -> set[str]:
        """The question's international names ("Methamphetamine", "Ketamin") that only a few
        sections of the whole library use: those places are what the question is about, however
        the rest of it is worded ("được xếp vào danh mục nào"). Vietnamese words are left to
        their weights: a rare one ("hải đảo") is one detail of the question, not its subject."""
        counts = self._frequencies(())[0]
        asked = set(question.terms) - question.markers - question.comparison_markers
        return {t for t in asked if 0 < counts.get(t, 0) <= RARE_SECTIONS and t.isalpha() and not is_syllable(t)}

    def _count_frequencies(self, scope: tuple[str, ...]) -> tuple[Counter[str], int]:
        if not scope:  # the whole library: counted at build time
            folded, _, count = self.library.chunk_frequencies
            return folded, count
        counts: Counter[str] = Counter()
        for source in dict.fromkeys(scope):  # the scope's documents, not a pass over every chunk
            counts.update(self._document_frequencies(source))
        return counts, max(1, sum(len(self.library.sections_of(source)) for source in dict.fromkeys(scope)))

    def _document_frequencies(self, source: str) -> Counter[str]:
        """How many of one document's chunks use each word (counted at build time), kept per
        document: comparisons and questions naming documents search many scopes that overlap."""
        counts = self._per_document.get(source)
        if counts is None:
            counts = self._per_document[source] = self.library.document_frequencies(source)  # counted at build time
        return counts

    def scale(self, question: Question, typed: bool) -> dict[str, float]:
        """Question words with their weight in coverage: words that only say what kind of answer is
        wanted ("khi nào", "bao nhiêu") count little when the passage requirement checks them; a
        named document's title words count little once the search is inside that document."""
        type_words = question.markers if typed else set()
        named = self.named_words(question)
        weights: dict[str, float] = {}
        for t in question.terms:
            if t in question.comparison_markers:
                continue
            weights[t] = 0.3 if (t in type_words or t in named) else 1.0
        return weights

    def named_words(self, question: Question) -> set[str]:
        """The question's words that name the documents searched: the pairs it shares with their
        titles and issuers ("tháng hành động", "nghị quyết"). A syllable alone names nothing: the
        "cao" of "báo cáo" is not the "cao" of a title's "nâng cao"."""
        searched = question.compared or question.sources
        if not searched or len(searched) >= len(self.library.documents):
            return set()
        asked = bigrams(question.folded)
        named: set[str] = set()
        for source in searched:
            entry = self.library.documents[source]
            shared = asked & (self.library.title_phrases.get(source, set()) | bigrams(fold(entry.issuer)))
            named.update(word for phrase in shared for word in phrase.split())
        return named

    def has_content_words(self, question: Question, typed: bool) -> bool:
        """Does the question say more than which document and what kind of answer?"""
        return any(weight == 1.0 for weight in self.scale(question, typed).values())

    def weights(self, question: Question, typed: bool) -> dict[str, float]:
        scale = self.scale(question, typed)
        words = list(scale)
        weights = {t: self.idf(t, question.compared or question.sources) * scale[t] for t in words}
        for a, b in zip(words, words[1:]):
            weights[f"{a} {b}"] = 0.5 * (weights[a] + weights[b])
        return weights

    # ------------------------------------------------------------ passages

    def find(
        self,
        question: Question,
        hits: Sequence[NodeWithScore],
        requirement: re.Pattern[str] | None = None,
        agency_only: bool = False,
        clauses: bool = False,
        skip: re.Pattern[str] | None = None,
    ) -> list[Passage]:
        """Passages of `hits` ranked by coverage. `requirement` must match a passage (on its folded
        text when its pattern starts with `FOLDED`); `skip` removes text (a reference's date)
        before the requirement is checked."""
        terms = self.weights(question, requirement is not None or bool(question.comparison_markers))
        if not terms and requirement is None:
            return []
        # A word no document uses ("được xếp vào") cannot be in any passage: it would only lower
        # every score against the floors, more for questions worded unlike the documents.
        total = sum(w for t, w in terms.items() if all(self.known(word) for word in t.split())) or 1.0
        scope = set(question.sources) if question.sources else None
        agency_keys = [m.key for m in question.agencies]
        entries = {entry_key(code) for code in question.entries}
        asks_value = bool(question.intents & (TIME | {MONEY})) or (NUMBER in question.intents and question.asks_value)
        rare = self.rare_terms(question)
        typed_as = accented_forms(question, terms)
        appendix_penalty = not asks_for_form(question)
        # The year that picked the document says nothing about which of its passages answers.
        asked_years = [y for y in question.years if not scope or any(self.library.documents[s].year != y for s in scope)]
        passages: list[Passage] = []
        for rank, hit in enumerate(hits):
            node = hit.node
            if scope and node.metadata.get("source") not in scope:
                continue
            heading = str(node.metadata.get("heading_path", ""))
            in_heading = _Words(heading, typed_as)
            in_block = bool(agency_keys) and any(k in agency_key(str(node.metadata.get("agencies", ""))) for k in agency_keys)
            title = node.get_content().split("\n", 1)[0].strip()
            for unit, lead in self._units(node, clauses):
                # A value's subject is often said by the leads of its list ("- Tiền ăn:" above "+ …
                # 240.000 đồng/người/tháng"); for other questions a list is quoted from its lead (`with_list`).
                in_context = _Words(f"{heading} {lead}", typed_as) if lead and requirement is not None else in_heading
                if agency_only and not in_block and not any(k in agency_key(unit) for k in agency_keys):
                    continue
                if question.places and not set(find_provinces(unit)) & set(question.places):
                    continue  # asked about a province no document is of: only what names it answers
                if requirement is not None:
                    checked = _CLAUSE.sub("", skip.sub(" ", unit) if skip is not None else unit)  # "4. " numbers a clause or a field: never the figure asked
                    if not requirement.search(fold(checked) if requirement.pattern.startswith(FOLDED) else checked):
                        continue
                covered, said = self._coverage(terms, unit, typed_as, in_context), unit
                if requirement is not None and unit.endswith(":"):
                    # The value is in a lead ("Phạt tiền từ … đối với một trong những hành vi sau
                    # đây:"), the case in one item of its list: the lead is as good as its best item,
                    # a little less than a passage that says both itself.
                    for item in with_list(node, unit).split("\n")[1:]:
                        joined = f"{unit} {item}"
                        if (found := ITEM_SHARE * self._coverage(terms, joined, typed_as, in_context)) > covered:
                            covered, said = found, joined
                unit_tokens = set(tokens(fold(said)))
                score = covered / total - 0.01 * rank + RANK_PRIOR.get(rank, 0.0)
                if BLANK.search(unit):
                    score -= 0.3  # a form's blank ("Ông/bà …………"): a template, not a rule
                elif appendix_penalty and node.metadata.get("layout") == "appendix":
                    score -= 0.1
                if rare & unit_tokens:
                    score += RARE_BONUS
                if agency_keys and any(k in agency_key(unit) or k in agency_key(heading) for k in agency_keys):
                    score += 0.15
                if entries and not asks_value and entry_code(str(node.metadata.get("section", ""))) in entries:
                    # "(chỉ tiêu 504)": the entry named, not its neighbour using the same words; what
                    # names it ("503. Số người nghiện …") is what "chỉ tiêu 503 là gì" asks. A value
                    # asked must still be stated: the bonus lifts no passage over an answerer's floor then.
                    score += ENTRY_BONUS * (2 if unit.split("\n", 1)[0].strip() == title else 1)
                if any(str(y) in unit for y in asked_years):
                    score += 0.1
                passages.append(Passage(node, unit, score))
        passages.sort(key=lambda p: -p.score)
        unique: list[Passage] = []
        seen: set[str] = set()
        for passage in passages:
            if passage.text not in seen:
                seen.add(passage.text)
                unique.append(passage)
        return unique

    @staticmethod
    def _coverage(terms: dict[str, float], text: str, typed_as: dict[str, set[str]], in_context: "_Words") -> float:
        """Weight of the question's terms a passage says; those only its heading says count half."""
        in_text = _Words(text, typed_as)
        return sum(w if in_text.has(t) else 0.5 * w if in_context.has(t) else 0.0 for t, w in terms.items())

    def of_asked_year(self, question: Question, passage: Passage, figures: bool = True) -> bool:
        """ "Năm 2023 cả nước phát hiện bao nhiêu …" asks a figure of 2023: a passage naming 2023
        states it; one of a document of 2023 may; a 2030 target of a 2024 document, or a passage
        giving figures for 2026–2030 in a document whose year is not known, does not."""
        if not figures or not question.years:
            return True
        entry = self.library.documents.get(passage.source)
        said = f"{passage.node.metadata.get('heading_path', '')} {passage.text}"
        other_years = bool(re.search(r"\b(?:19|20)\d\d\b", said))
        for year in question.years:
            if str(year) in said:
                continue
            own = entry is not None and (entry.year == year or self.library.identities.stating_year(passage.source, year))
            if own:
                continue
            if (entry is not None and entry.year is not None) or other_years:
                return False
        return True

    def document_order(self, node: TextNode) -> tuple[int, int]:
        return self._document_position.get(str(node.metadata.get("source", "")), 0), int(node.metadata.get("order", 0))

    @property
    def _document_position(self) -> dict[str, int]:
        positions = getattr(self, "_positions", None)
        if positions is None:
            positions = self._positions = {source: position for position, source in enumerate(self.library.documents)}
        return positions


RARE_SECTIONS = 3  # a word used by at most this many sections is a name that picks its passages
RARE_BONUS = 0.15
UNIT_CACHE = 20_000  # sections whose passages are kept cut (about an archive of 1,000 documents)
ENTRY_BONUS = 0.2
RANK_PRIOR = {0: 0.06, 1: 0.03}  # the retriever's best sections, when passages cover the question alike

FOLDED = "(?#folded)"  # a requirement pattern written for folded text starts with this marker
COUNTED = "(?#counted)"  # a number right before the asked noun: strong enough to stand on its own
