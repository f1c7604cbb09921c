"""Stage 5, answer: pick the passages that answer, cite each one, or say plainly that nothing does.

Extractive, no LLM: every statement in an answer is a verbatim passage of a section, followed by
[n]; citation n names the file, the document title, the section label and the quoted passage.
What counts as answering depends on the question: an agency's whole responsibility block, a
passage with a date for "khi nào", a figure for "bao nhiêu", the signature for "ai ký".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.documents.agencies import agency_key
from assistant.documents.naming import document_heading, section_label
from assistant.index.library import Library
from assistant.query.understand import (
    AGENCY, COMPARISON, DEADLINE, METADATA, MONEY, NUMBER, STOPWORDS, Question, tokens,
)
from assistant.text import UPPER, fold

NOT_FOUND = "Không tìm thấy thông tin"
MAX_QUOTE_CHARS = 600

_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày\s*\d{1,2}\b|\btháng\s*\d{1,2}\b|\bquý\b|hằng năm|định kỳ|"
    r"\btrước ngày|\bnăm 20\d\d\b|\b\d{1,2} tháng\b|\bgiai đoạn 20\d\d",
    re.I,
)
_FIGURE = re.compile(r"\d")
_REFERENCE_DATE = re.compile(
    r"(?:số|Số)\s+[\w/\-]+(?:\s*,)?\s+ngày\s*\d{1,2}(?:/\d{1,2}/\d{2,4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
)
_ASKS_REFERENCE = re.compile(r"\b(to trinh|quyet dinh|cong van|van ban|nghi quyet|chi thi|thong bao|trinh|so hieu)\b")
_MONEY = re.compile(r"\d[\d\.,]*\s*(?:đồng|triệu|tỷ|nghìn|VNĐ|vnđ)")
_CONTACT = re.compile(r"địa chỉ|số \d+,? đường|đường [A-ZĐ]|gửi về|gửi [^.;]{0,40}(?:về|đến|cho)|qua phòng|báo cáo [^.;]{0,60}(?:về|đến)", re.I)
_PHONE = re.compile(r"điện thoại:?\s*[\d\.\s]{7,}|\b0\d{2,3}[\.\s]?\d{3,4}[\.\s]?\d{3,4}\b", re.I)
# Words that say what kind of answer is wanted; the passage requirement checks them instead.
_TYPE_WORDS = {
    DEADLINE: set("han khi nao gio thoi gian keo dai luc moc khoang dien ra bat dau truoc sau tu den ngay nop gui".split()),
    NUMBER: set("bao nhieu ty le so luong phan tram may dat toi thieu".split()),
    MONEY: set("bao nhieu tien kinh phi so tien ngan sach muc chi du toan".split()),
    METADATA: set("ai ky nguoi chu de dia chi gui ve dau dien thoai so lien he can cu dua tren van ban nao ban hanh co quan".split()),
    COMPARISON: set("khac nhau giong so sanh diem chung biet the nao ra sao doi chieu voi".split()),
}
_THEME = re.compile(r"chủ đề|thông điệp|khẩu hiệu", re.I)
_BASIS = re.compile(r"^(Căn cứ|Thực hiện|Theo đề nghị)", re.I)
# A sentence ends at "." or ";" before a capital, but not after "TP." / "TX." / "TT." ("phường
# Minh Xuân, TP. Tuyên Quang" is one place).
_SENTENCE_SPLIT = re.compile(r"(?<=[\.;])(?<!\bTP\.)(?<!\bTp\.)(?<!\bTX\.)(?<!\bTT\.)(?<!\bThS\.)\s+(?=[" + UPPER + r"\-–(])")


@dataclass
class Citation:
    n: int
    source: str
    title: str
    section: str
    quote: str
    province: str = ""
    heading_path: str = ""
    node_id: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    source_nodes: list[NodeWithScore] = field(default_factory=list)


@dataclass
class Passage:
    """A verbatim piece of a section: a bullet, a paragraph, or one sentence of a long paragraph."""

    node: TextNode
    text: str
    score: float = 0.0

    @property
    def source(self) -> str:
        return str(self.node.metadata.get("source", ""))


class AnswerBuilder:
    """Numbers citations and lays statements out per document, in document order."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.citations: list[Citation] = []
        self.groups: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self.nodes: dict[str, TextNode] = {}

    def cite(self, node: TextNode, quote: str) -> int:
        quote = re.sub(r"^[-+•–]\s+", "", quote.strip())  # the bullet mark is layout, not words
        for citation in self.citations:
            if citation.node_id == node.node_id and citation.quote == quote:
                return citation.n
        source = str(node.metadata.get("source", ""))
        entry = self.library.documents.get(source)
        citation = Citation(
            n=len(self.citations) + 1,
            source=source,
            title=entry.title if entry else source,
            section=str(node.metadata.get("section", "")),
            quote=quote,
            province=entry.province if entry else "",
            heading_path=str(node.metadata.get("heading_path", "")),
            node_id=node.node_id,
        )
        self.citations.append(citation)
        self.nodes[node.node_id] = node
        return citation.n

    def statement(self, node: TextNode, text: str, header: str | None = None) -> None:
        n = self.cite(node, text)
        source = str(node.metadata.get("source", ""))
        group = self.groups.setdefault(source, [])
        if header and header not in group:
            group.append(header)
        bullet = text if text.startswith(("-", "+", "•")) else f"- {text}"
        group.append(f"{bullet} [{n}]")

    def render(self, intro: str = "") -> Answer:
        parts = [intro] if intro else []
        for source, lines in self.groups.items():
            entry = self.library.documents.get(source)
            parts.append(f"**{document_heading(entry, source)}**\n" + "\n".join(lines))
        parts.extend(self.notes)
        nodes = [NodeWithScore(node=node, score=1.0) for node in self.nodes.values()]
        return Answer(text="\n\n".join(parts).strip(), citations=self.citations, source_nodes=nodes)


Retrieve = Callable[[Question], list[NodeWithScore]]

# Words that say "what are the tasks" rather than which task: they don't narrow an agency question.
_GENERIC_TASK_TERMS = set(
    "phai lam gi nhiem vu trach nhiem duoc giao phan cong vai tro can thuc hien nhung cong viec viec "
    "ke hoach nghi quyet quyet dinh van ban trong theo de nghi cu the gom chiu chi dao "
    "cac ve tong hop so sanh khac nhau".split()
)


class ExtractiveAnswerer:
    def __init__(self, library: Library, retrieve: Retrieve) -> None:
        self.library = library
        self.retrieve = retrieve
        # word counts per searched scope; bounded, since an archive has many possible scopes
        self._frequencies = lru_cache(maxsize=64)(self._count_frequencies)

    # ------------------------------------------------------------ entry point

    def answer(self, question: Question, retrieved: list[NodeWithScore]) -> Answer:
        reason = self._out_of_scope(question)
        if reason:
            return self.abstain(reason)
        if COMPARISON in question.intents and len(self._compared_sources(question)) >= 2:
            return self._comparison(question, retrieved)
        return self._single(question, retrieved)

    def _single(self, question: Question, retrieved: list[NodeWithScore], builder: AnswerBuilder | None = None) -> Answer:
        own = builder is None
        builder = builder or AnswerBuilder(self.library)
        before = len(builder.citations)
        if question.metadata_field in ("signer", "issuer", "recipients", "basis", "doc_date", "doc_number"):
            self._document_fact(question, retrieved, builder)
            if len(builder.citations) == before and question.metadata_field in ("issuer", "basis", "recipients"):
                self._passages(question, retrieved, builder)
        elif AGENCY in question.intents and question.agencies and not ({DEADLINE, NUMBER, MONEY, METADATA} & question.intents):
            if not self._focused_agency_answer(question, retrieved, builder):
                self._agency(question, builder)
        else:
            self._passages(question, retrieved, builder)
        if len(builder.citations) == before:
            return self.abstain(self._why_nothing(question)) if own else Answer(text="")
        return builder.render() if own else Answer(text="")

    # ------------------------------------------------------------ abstention

    def abstain(self, reason: str) -> Answer:
        """One fixed sentence, then what the documents do cover (briefly: archives hold hundreds)."""
        entries = list(self.library.documents.values())
        provinces = sorted({e.province for e in entries if e.province})
        years = sorted({e.year for e in entries if e.year})
        scope = f"{len(entries)} văn bản" + (f" của tỉnh {', '.join(provinces)}" if provinces else "")
        if years:
            scope += f" (năm {years[0]}–{years[-1]})" if len(years) > 1 else f" (năm {years[0]})"
        shown = "; ".join(e.label for e in entries[:5]) + (f"; và {len(entries) - 5} văn bản khác" if len(entries) > 5 else "")
        subject, _, detail = reason.partition(": ")
        text = f"{NOT_FOUND} {subject} trong các văn bản hiện có."
        if detail:
            text += f" {detail[:1].upper()}{detail[1:]}."
        text += f" Hệ thống đang có {scope}: {shown}."
        return Answer(text=text, abstained=True)

    def _out_of_scope(self, question: Question) -> str:
        if question.unknown_provinces and not question.provinces:
            names = ", ".join(question.unknown_provinces)
            return f"về tỉnh {names}: chưa có văn bản nào của tỉnh này"
        if question.unknown_agencies and not question.agencies:
            return f"về {question.unknown_agencies[0]}: không văn bản nào nêu hay giao nhiệm vụ cho cơ quan này"
        if question.conflicting_year:
            return f"cho năm {question.conflicting_year}: văn bản được hỏi chỉ có bản của năm khác"
        if question.years:
            known_years = {d.year for d in self.library.documents.values()}
            if not set(question.years) & known_years and not any(self.library.mentions(str(y)) for y in question.years):
                return f"cho năm {', '.join(map(str, question.years))}"
        return ""

    def _why_nothing(self, question: Question) -> str:
        if question.metadata_field == "signer":
            return "về người ký văn bản này"
        if MONEY in question.intents:
            return "về số tiền hay mức kinh phí cụ thể"
        if DEADLINE in question.intents:
            return "về thời hạn hay mốc thời gian được hỏi"
        if NUMBER in question.intents:
            return "về con số được hỏi"
        return "cho câu hỏi này"

    # ------------------------------------------------------------ agencies

    def _agency(self, question: Question, builder: AnswerBuilder) -> None:
        scope = set(question.sources) if question.sources else None
        block_ids: set[str] = set()
        for match in question.agencies:
            for node_id in self.library.agency_blocks.get(match.key, []):
                node = self.library.nodes[node_id]
                if scope and node.metadata.get("source") not in scope:
                    continue
                block_ids.add(node_id)
        ordered = sorted(block_ids, key=lambda nid: (self._doc_order(nid), int(self.library.nodes[nid].metadata.get("order", 0))))
        for node_id in ordered:
            node = self.library.nodes[node_id]
            header = f"{section_label(node)}:"
            for unit in block_units(node.get_content()):
                builder.statement(node, unit, header)
        self._partner_mentions(question, block_ids, scope, builder)

    def _partner_mentions(self, question: Question, own_blocks: set[str], scope: set[str] | None, builder: AnswerBuilder) -> None:
        """Places where the agency is named as a partner ("phối hợp với … Sở Y tế")."""
        names = {match.key for match in question.agencies}
        found: list[tuple[TextNode, str]] = []
        for node_id, keyed in self._sentence_keys.items():
            node = self.library.nodes[node_id]
            if node_id in own_blocks or (scope and node.metadata.get("source") not in scope):
                continue
            sentence = next((text for text, key in keyed if any(f" {name} " in key for name in names)), None)
            if sentence is not None:
                found.append((node, sentence))
        if not found:
            return
        refs = []
        for node, sentence in found[:6]:
            n = builder.cite(node, clip_quote(sentence, names))
            entry = self.library.documents.get(str(node.metadata.get("source")))
            province = f"{entry.province}, " if entry and entry.province else ""
            refs.append(f"{province}{section_label(node)} [{n}]")
        agency = question.agencies[0].name
        builder.notes.append(f"{agency} còn được nêu là đơn vị phối hợp hoặc liên quan tại: " + "; ".join(refs) + ".")

    @cached_property
    def _sentence_keys(self) -> dict[str, list[tuple[str, str]]]:
        """Each section's sentences with their agency keys, once per index (not per question)."""
        return {
            node_id: [(sentence, f" {agency_key(sentence)} ") for sentence in sentences(node.get_content())]
            for node_id, node in self.library.nodes.items()
            if node.metadata.get("section") != "Nơi nhận"
        }

    def _doc_order(self, node_id: str) -> int:
        return self._document_position.get(str(self.library.nodes[node_id].metadata.get("source", "")), 0)

    @cached_property
    def _document_position(self) -> dict[str, int]:
        return {source: position for position, source in enumerate(self.library.documents)}

    # ------------------------------------------------------------ document facts

    def _target_documents(self, question: Question, retrieved: list[NodeWithScore]) -> list[str]:
        """The documents a question about "the" document means: the ones it names, else the best hit."""
        if question.sources:
            return question.sources
        top = [str(hit.node.metadata.get("source")) for hit in retrieved[:1]]
        return top or list(self.library.documents)[:1]

    def _document_fact(self, question: Question, retrieved: list[NodeWithScore], builder: AnswerBuilder) -> None:
        for source in self._target_documents(question, retrieved):
            entry = self.library.documents[source]
            nodes = self.library.sections_of(source)
            if question.metadata_field == "signer" and entry.signer:
                node = next((n for n in reversed(nodes) if entry.signer in n.get_content()), None)
                if node is not None:
                    n = builder.cite(node, entry.signer)
                    builder.groups.setdefault(source, []).append(f"- Người ký: {entry.signer_title} {entry.signer} [{n}]".replace("  ", " "))
            elif question.metadata_field == "issuer" and entry.issuer:
                core = fold(re.sub(rf"\s*{re.escape(entry.province)}$", "", entry.issuer)) if entry.province else fold(entry.issuer)
                core = re.sub(r"^chu tich ", "", core)
                for node in nodes[:3]:
                    line = next((l for l in node.get_content().split("\n") if core in fold(l)), "")
                    if line:
                        n = builder.cite(node, line)
                        builder.groups.setdefault(source, []).append(f"- Cơ quan ban hành: {entry.issuer} [{n}]")
                        break
            elif question.metadata_field in ("doc_date", "doc_number"):
                value = entry.date if question.metadata_field == "doc_date" else entry.number
                if not value or value.startswith("năm"):
                    continue  # left blank in the document ("ngày … tháng … năm 2023")
                needle = value.split("/")[0] if question.metadata_field == "doc_number" else None
                for candidate in nodes[:3]:
                    line = next((l for l in candidate.get_content().split("\n") if (needle and needle in l) or (not needle and re.search(r"ngày\s*\d", l) and str(entry.year) in l)), "")
                    if line:
                        label = "Ngày ban hành" if question.metadata_field == "doc_date" else "Số hiệu"
                        n = builder.cite(candidate, line)
                        builder.groups.setdefault(source, []).append(f"- {label}: {line} [{n}]")
                        break
            elif question.metadata_field == "recipients":
                node = next((n for n in nodes if n.metadata.get("section") == "Nơi nhận"), None)
                if node is not None:
                    builder.statement(node, node.get_content())
            elif question.metadata_field == "basis":
                for node in nodes:
                    if node.metadata.get("section") != "Mở đầu":
                        continue
                    for line in node.get_content().split("\n"):
                        if _BASIS.match(line.strip()):
                            for unit in units(line):
                                builder.statement(node, unit, f"{section_label(node)}:")

    # ------------------------------------------------------------ passages

    def _passages(
        self, question: Question, retrieved: list[NodeWithScore], builder: AnswerBuilder,
        agency_only: bool = False, candidates: list[Passage] | None = None,
    ) -> None:
        if candidates is None:
            candidates = self._candidate_passages(question, retrieved, agency_only)
        if not candidates:
            return
        best = candidates[0].score
        # A passage must cover a third of what the question asks about; for "chủ đề", "địa chỉ"…
        # the pattern itself is the evidence, so only the ranking matters.
        requirement = self._requirement(question)
        specific = requirement is not None and requirement.pattern.startswith(_FOLDED + _COUNTED)
        # When every word only names the document or the kind of answer ("Tháng hành động … kéo dài
        # từ ngày nào?"), the requirement is the only evidence too.
        bare = requirement is not None and not self._has_content_words(question)
        absolute = 0.0 if question.metadata_field in ("theme", "contact", "phone") or specific or bare else 0.25 if requirement else 0.34
        floor = max(absolute, best * 0.75) if best > 0 else best  # a matching figure with little overlap still beats nothing
        chosen = [p for p in candidates if p.score >= floor][: self._limit(question)]
        chosen.sort(key=lambda p: (self._doc_order(p.node.node_id), int(p.node.metadata.get("order", 0))))
        for passage in chosen:
            builder.statement(passage.node, passage.text, f"{section_label(passage.node)}:")

    def _limit(self, question: Question) -> int:
        if question.intents & {DEADLINE, NUMBER, MONEY, METADATA}:
            return 4 if not question.sources or len(question.sources) > 1 else 3
        return 5

    def _specific_terms(self, question: Question) -> list[str]:
        titles = " ".join(fold(self.library.documents[s].title) for s in question.sources) if question.sources else ""
        named = set(tokens(titles))
        known = self._frequencies(())[0]  # a word no section has cannot point at one
        generic = _GENERIC_TASK_TERMS if question.asks_tasks else set()  # "tổng hợp báo cáo lên đâu?" asks one thing
        return [t for t in question.terms if t not in generic and t not in named and self.idf(t) > 1.0 and known.get(t, 0)]

    def _focused_agency_answer(self, question: Question, retrieved: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        """ "Công an tỉnh báo cáo kết quả cho những cơ quan nào?" asks for one task, not the whole block.

        Only when passages naming the agency cover most of the question's specific words;
        otherwise the full block is the answer. A question that does not ask for tasks at all
        ("… tổng hợp báo cáo lên những nơi nào?") needs less evidence to be answered narrowly.
        """
        specific = self._specific_terms(question)
        if len(specific) < (2 if question.asks_tasks else 1):
            return False
        narrowed = Question(**{**question.__dict__, "terms": specific})
        context = self._agency_context(question, retrieved)
        candidates = self._candidate_passages(narrowed, context, agency_only=True)
        if not candidates or candidates[0].score < (0.75 if question.asks_tasks else 0.45):
            return False
        before = len(builder.citations)
        self._passages(narrowed, context, builder, agency_only=True, candidates=candidates)
        return len(builder.citations) > before

    def _agency_context(self, question: Question, retrieved: list[NodeWithScore]) -> list[NodeWithScore]:
        """The agency's own blocks first, then retrieved sections that name it."""
        ids = [nid for m in question.agencies for nid in self.library.agency_blocks.get(m.key, [])]
        ids += [hit.node.node_id for hit in retrieved if hit.node.node_id not in ids]
        return [NodeWithScore(node=self.library.nodes[nid], score=1.0) for nid in ids if nid in self.library.nodes]

    def _candidate_passages(self, question: Question, retrieved: list[NodeWithScore], agency_only: bool = False) -> list[Passage]:
        requirement = self._requirement(question)
        terms = self._weighted_terms(question)
        if not terms and requirement is None:
            return []
        total = sum(terms.values()) or 1.0
        scope = set(question.sources) if question.sources else None
        agency_keys = [m.key for m in question.agencies]
        # The year that picked the document says nothing about which of its passages answers.
        asked_years = [y for y in question.years if not scope or any(self.library.documents[s].year != y for s in scope)]
        # "Quyết định số 184/QĐ-UBND ngày 31/01/2024" dates a reference, not a deadline, unless
        # the question asks about such a paper ("Tờ trình … đề ngày nào?").
        skip_references = DEADLINE in question.intents and not _ASKS_REFERENCE.search(question.folded)
        passages: list[Passage] = []
        for rank, hit in enumerate(retrieved):
            node = hit.node
            if scope and node.metadata.get("source") not in scope:
                continue
            context = set(tokens(fold(str(node.metadata.get("heading_path", "")))))
            in_block = bool(agency_keys) and any(k in agency_key(str(node.metadata.get("agencies", ""))) for k in agency_keys)
            for unit in units(node.get_content(), clauses=NUMBER in question.intents):
                if agency_only and not in_block and not any(k in agency_key(unit) for k in agency_keys):
                    continue
                checked = _REFERENCE_DATE.sub(" ", unit) if skip_references else unit
                if requirement is not None and not requirement.search(fold(checked) if requirement.pattern.startswith(_FOLDED) else checked):
                    continue
                unit_tokens = set(tokens(fold(unit)))
                unit_bigrams = bigrams(fold(unit))
                covered = sum(w for t, w in terms.items() if t in unit_tokens or (" " in t and t in unit_bigrams))
                covered += 0.5 * sum(w for t, w in terms.items() if t not in unit_tokens and t in context)
                score = covered / total - 0.01 * rank
                if agency_keys and any(k in agency_key(unit) or k in agency_key(str(node.metadata.get("heading_path", ""))) for k in agency_keys):
                    score += 0.15
                if any(str(y) in unit for y in asked_years):
                    score += 0.1
                passages.append(Passage(node, unit, score))
        passages.sort(key=lambda p: -p.score)
        unique: list[Passage] = []
        for passage in passages:
            if not any(passage.text == other.text for other in unique):
                unique.append(passage)
        return unique

    def _requirement(self, question: Question) -> re.Pattern[str] | None:
        if question.metadata_field == "theme":
            asked = [w for w, key in (("chủ đề", "chu de"), ("thông điệp", "thong diep"), ("khẩu hiệu", "khau hieu")) if key in question.folded]
            return re.compile("|".join(asked), re.I) if asked else _THEME
        if question.metadata_field == "contact":
            return _CONTACT
        if question.metadata_field == "phone":
            return _PHONE
        if question.metadata_field == "basis":
            return _BASIS
        if MONEY in question.intents:
            return _MONEY
        if DEADLINE in question.intents:
            return _DATE
        if NUMBER in question.intents:
            return _figure_requirement(question.folded)
        return None

    def _scoring_terms(self, question: Question) -> dict[str, float]:
        """Question words with their weight in coverage: words that only say what kind of answer is
        wanted ("khi nào", "bao nhiêu") count little, since the passage requirement checks them;
        a named document's title words count little once the search is inside that document."""
        typed = self._requirement(question) is not None or COMPARISON in question.intents
        type_words = set().union(*(_TYPE_WORDS.get(i, set()) for i in question.intents)) if typed else set()
        named: set[str] = set()
        searched = question.compared or question.sources
        if searched and len(searched) < len(self.library.documents):
            named = set(tokens(" ".join(fold(f"{self.library.documents[s].title} {self.library.documents[s].issuer}") for s in searched)))
        weights: dict[str, float] = {}
        for t in question.terms:
            if t in STOPWORDS or t in _TYPE_WORDS[COMPARISON]:
                continue
            weights[t] = 0.3 if (t in type_words or t in named) else 1.0
        return weights

    def _has_content_words(self, question: Question) -> bool:
        """Does the question say more than which document and what kind of answer?"""
        return any(weight == 1.0 for weight in self._scoring_terms(question).values())

    def _weighted_terms(self, question: Question) -> dict[str, float]:
        scale = self._scoring_terms(question)
        words = list(scale)
        weights = {t: self.idf(t, question.compared or question.sources) * scale[t] for t in words}
        for a, b in zip(words, words[1:]):
            weights[f"{a} {b}"] = 0.5 * (weights[a] + weights[b])
        return weights

    def idf(self, term: str, scope: Sequence[str] = ()) -> float:
        """Rarity among the sections searched: inside one named document, its title words are
        everywhere and say nothing about which passage answers."""
        frequency, count = self._frequencies(tuple(sorted(scope)))
        df = frequency.get(term, 0)
        return math.log(1 + (count - df + 0.5) / (df + 0.5))

    def _count_frequencies(self, scope: tuple[str, ...]) -> tuple[Counter[str], int]:
        counts: Counter[str] = Counter()
        nodes = [n for n in self.library.nodes.values() if not scope or n.metadata.get("source") in scope]
        for node in nodes:
            counts.update(set(tokens(fold(node.get_content()))))
        return counts, max(1, len(nodes))

    # ------------------------------------------------------------ comparison

    def _overview(self, source: str, builder: AnswerBuilder) -> None:
        """What a document sets out to do, its theme, and whom it assigns tasks: the first things
        to hold side by side when a comparison names no topic."""
        nodes = self.library.sections_of(source)
        purpose = next((n for n in nodes if re.search(r"muc (dich|tieu)", fold(str(n.metadata.get("heading_path", ""))))), None)
        if purpose is not None:
            first = next((u for u in units(purpose.get_content()) if len(u) > 60), None)
            if first:
                builder.statement(purpose, first, f"{section_label(purpose)}:")
        for node in nodes:
            theme = next((u for u in units(node.get_content()) if _THEME.search(u)), None)
            if theme:
                builder.statement(node, theme, f"{section_label(node)}:")
                break
        first_block: dict[str, int] = {}
        for key, name in self.library.agency_names.items():
            for nid in self.library.agency_blocks.get(key, []):
                if self.library.nodes[nid].metadata.get("source") == source:
                    first_block[name] = min(first_block.get(name, 10**9), int(self.library.nodes[nid].metadata.get("order", 0)))
        assigned = sorted(first_block, key=first_block.__getitem__)
        if assigned and source in builder.groups:
            builder.groups[source].append(f"Giao nhiệm vụ cho {len(assigned)} cơ quan, đơn vị: {', '.join(assigned)}.")

    def _compared_sources(self, question: Question, retrieved: Sequence[NodeWithScore] = ()) -> list[str]:
        """The documents a comparison sets side by side. "Tuyên Quang khác Sơn La…" without a named
        document compares like with like: the best-matching document of the province with fewest,
        and in each other province the document whose title and year are closest to it."""
        sources = question.sources or list(self.library.documents)
        documents = self.library.documents
        by_province = {p: [s for s in sources if documents[s].province == p] for p in question.provinces}
        if len(by_province) < 2 or not all(by_province.values()) or all(len(v) == 1 for v in by_province.values()):
            return sources
        rank: dict[str, int] = {}
        for position, hit in enumerate(retrieved):
            rank.setdefault(str(hit.node.metadata.get("source")), position)
        anchor_province = min(by_province, key=lambda p: len(by_province[p]))
        anchor = min(by_province[anchor_province], key=lambda s: rank.get(s, len(rank)))
        anchor_title = self.library.title_phrases[anchor]
        chosen = [anchor]
        for province, candidates in by_province.items():
            if province == anchor_province:
                continue
            chosen.append(max(candidates, key=lambda s: (
                len(anchor_title & self.library.title_phrases[s]) + (2 if documents[s].year == documents[anchor].year else 0),
                -rank.get(s, len(rank)),
            )))
        return chosen

    def _comparison(self, question: Question, retrieved: list[NodeWithScore]) -> Answer:
        builder = AnswerBuilder(self.library)
        sources = self._compared_sources(question, retrieved)
        for source in sources:
            sub = Question(**{**question.__dict__, "sources": [source], "compared": sources, "intents": question.intents - {COMPARISON}})
            self._single(sub, self.retrieve(sub), builder)
        if not builder.groups and not self._has_content_words(question):
            for source in sources:  # "Tuyên Quang khác Sơn La ở điểm nào?": set the plans side by side
                self._overview(source, builder)
        covered = [s for s in sources if s in builder.groups]
        if not covered:
            return self.abstain(self._why_nothing(question))
        missing = [self.library.documents[s].label for s in sources if s not in builder.groups]
        if missing:
            builder.notes.append("Không thấy nội dung tương ứng trong: " + "; ".join(missing) + ".")
        intro = "So sánh theo từng văn bản (đọc đối chiếu các mục dưới đây):"
        return builder.render(intro)


# ---------------------------------------------------------------- text units


def block_units(text: str) -> list[str]:
    """An agency block as statements: the heading's own text (after "Sở X:") and each bullet/paragraph."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out: list[str] = []
    for i, line in enumerate(lines):
        if i == 0:
            rest = re.sub(r"^\S+\s+", "", line, count=1)
            if ":" in rest[:150]:
                tail = rest.split(":", 1)[1].strip()
                if len(tail) > 20:
                    out.append(tail)
            continue
        out.append(line)
    return out or lines


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


_FOLDED = "(?#folded)"
_COUNTED = "(?#counted)"  # a number right before the asked noun: strong enough to stand on its own
_COUNT_WORD = re.compile(r"\b(?:bao nhieu|may)\s+((?:[a-z]+\s*){1,3})")
_NOT_NOUN = set("phan tram % la duoc co thi se da cua trong nam the vay ha a nhi khong".split())


def _figure_requirement(folded_question: str) -> re.Pattern[str]:
    """ "bao nhiêu xã" wants a number next to "xã"; "bao nhiêu phần trăm" wants a percentage."""
    if re.search(r"phan tram|%|ty le", folded_question):
        return re.compile(_FOLDED + r"\d[\d\.,]*\s*%")
    match = _COUNT_WORD.search(folded_question)
    if match:
        noun = [w for w in match.group(1).split() if w not in _NOT_NOUN][:1]
        if noun:
            percent = r"%?\s*" if noun[0] in ("dien", "ty") else ""  # "100 % diện tích", not "90% người"
            return re.compile(_FOLDED + _COUNTED + rf"\d[\d\.,/]*\s*{percent}(?:[a-z]+\s+)?{re.escape(noun[0])}\b")
    return _FIGURE


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(part.strip() for part in _SENTENCE_SPLIT.split(line) if part.strip())
    return out


def bigrams(folded: str) -> set[str]:
    words = tokens(folded)
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def clip_quote(sentence: str, names: set[str]) -> str:
    """A long sentence is quoted from its clause that names the agency (still verbatim)."""
    if len(sentence) <= 300:
        return sentence
    clauses = re.split(r"(?<=[;:])\s+", sentence)
    for clause in clauses:
        if any(name in agency_key(clause) for name in names):
            return clause
    return sentence[:300].rsplit(" ", 1)[0]
