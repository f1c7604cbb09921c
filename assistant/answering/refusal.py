"""Refusing only on evidence, and saying what is missing.

A question is refused when what it is about is not in the indexed documents: a province, a body, a
year or a document (asked by its number) that no document has; an article the named document does
not have; or a subject none of the retrieved passages mentions. Coverage of the subject is the
share of the question's specific words (weighted by rarity) found in the best retrieved passages;
`SUBJECT_FLOOR` is where false refusals and wrong answers balance on the gold sets (eval/report.md
shows the curve). The refusal says what is missing and what the documents do cover.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.schema import NodeWithScore

import re

from assistant.answering.evidence import amount_or_figure, time_requirement
from assistant.answering.answerers.article import amends_unit
from assistant.answering.passages import PassageFinder
from assistant.answering.types import NOT_FOUND, Answer
from assistant.index.library import Library
from assistant.query.understand import DEADLINE, DURATION, METADATA, MONEY, NUMBER, VALIDITY, Question, tokens
from assistant.text import fold, has_diacritics, unify_tones

# How a refusal is proven, named in every refused answer (`Answer.refusal`) so the eval can report
# each path's precision: a document, article, province, body or year the texts do not have; no
# value of the kind asked in the top sections; a fact the document does not state; no passage
# covering the question's subject.
PATHS = ("document", "article", "province", "agency", "year", "value", "stated", "tasks", "subject")
SUBJECT_FLOOR = 0.5  # share of the question's specific words that the retrieved passages must hold
NAMED_FLOOR = 0.3  # the same, when the question names the document it asks about
SUBJECT_HITS = 6  # how many retrieved sections are read for that
PROOF_SECTIONS = 5  # a refusal is proven on the sections a plain top-5 retrieval would show
NAMED_PROOF_DOCUMENTS = 2  # … and on every section of the document (or two) the question names,
NAMED_PROOF_FLOOR = 0.5  # where a passage beyond the top sections must cover half of the question
EXAMPLES = 3  # documents named in a refusal, to show what the archive holds
PROOF_FLOOR = 0.05  # a passage sharing (almost) nothing with the question proves nothing either way


# "Sáu tiêu chuẩn …", "ba giảm": a count says how many, not what about (told apart only when typed with
# accents: "sau" is also "sau cai nghiện").
_COUNT_WORDS = frozenset(unify_tones(w) for w in "một hai ba bốn năm sáu bảy tám chín mười".split())


class Refusal:
    def __init__(self, library: Library, finder: PassageFinder, subject_floor: float = SUBJECT_FLOOR) -> None:
        self.library = library
        self.finder = finder
        self.subject_floor = subject_floor

    def out_of_scope(self, question: Question) -> tuple[str, str]:
        """Why the documents cannot answer, before anything is searched, and the path that proves
        it (`PATHS`); ("", "") when they may."""
        if question.missing_documents and not question.sources and not question.intents & {METADATA, VALIDITY}:
            names = ", ".join(question.missing_documents)
            return f"về {names}: văn bản này chưa có trong hệ thống", "document"
        if question.units and question.sources:
            held = {str(n.metadata.get("section")) for s in question.sources for n in self.library.sections_of(s)}
            absent = [
                u for u in question.units
                if u.label not in held and not any(self._states_unit(s, u.article) or self.cites_unit(s, u.article) for s in question.sources)
            ]
            if absent and len(absent) == len(question.units):
                names = "; ".join(self.library.documents[s].name for s in question.sources)
                return f"về {absent[0].describe()} của {names}: văn bản này không có điều đó (hoặc phần chứa nó không có trong bản đã lưu)", "article"
        if question.unknown_provinces and not question.provinces:
            names = ", ".join(question.unknown_provinces)
            return f"về tỉnh {names}: chưa có văn bản nào của tỉnh này", "province"
        if question.unknown_agencies and not question.agencies:
            return f"về {question.unknown_agencies[0]}: không văn bản nào nêu hay giao nhiệm vụ cho cơ quan này", "agency"
        if question.conflicting_year:
            return f"cho năm {question.conflicting_year}: văn bản được hỏi chỉ có bản của năm khác", "year"
        if question.years:
            known_years = {d.year for d in self.library.documents.values()}
            if not set(question.years) & known_years and not any(self.library.mentions(str(y)) for y in question.years):
                return f"cho năm {', '.join(map(str, question.years))}", "year"
        return "", ""

    def _states_unit(self, source: str, article: str) -> bool:
        """Does the document's text head an article with this number ("Điều 38. …"), whether or not
        the structure parser made it a section (a format it never met), or amend one ("Sửa đổi,
        bổ sung khoản 1 Điều 140 như sau:")?"""
        text = self.library.full_texts.get(source, "")
        if re.search(rf"(?m)^[\s#*>`]*Điều\s+{re.escape(article)}\s*[\.:]", text):
            return True
        return bool(amends_unit(article).search(text))  # an amending text: what it does to the article

    def cites_unit(self, source: str, article: str) -> bool:
        """Does the document apply an article of another text ("… quy định tại khoản 1 Điều 251
        của Bộ luật Hình sự")? "theo NĐ 19 … áp khoản mấy Điều 251" asks how it does, not for an
        Điều 251 of its own."""
        text = self.library.full_texts.get(source, "")
        return bool(re.search(rf"\bĐiều\s+{re.escape(article)}\b(?!\s*[\.:])", text))

    def subject_coverage(self, question: Question, hits: Sequence[NodeWithScore]) -> float:
        """How much of what the question is about the top retrieved sections mention: the share of
        its content words found in their text and headings, each weighted by its rarity in the
        documents. Compared with accents when the question has them ("tàng" of "bảo tàng" is not
        "tăng"); words that only mark the kind of question or name the document asked about do not
        count. 1.0 when nothing is left to look for."""
        accented = has_diacritics(question.text)
        key = (lambda text: unify_tones(text).lower()) if accented else fold
        wanted = set(question.terms) - question.markers - question.comparison_markers - self.finder.named_words(question)
        words = {t for t in tokens(key(question.text)) if fold(t) in wanted and not (accented and t in _COUNT_WORDS)}
        if not words:
            return 1.0
        seen: set[str] = set()
        for hit in hits[:SUBJECT_HITS]:
            seen.update(tokens(key(f"{hit.node.metadata.get('heading_path', '')} {hit.node.get_content()}")))
        weight = {t: self.finder.idf(t, accented=accented) for t in words}
        total = sum(weight.values()) or 1.0
        return sum(w for t, w in weight.items() if t in seen) / total

    def subject_absent(self, question: Question, hits: Sequence[NodeWithScore]) -> bool:
        """Named documents need less: the question is about them, and its verbs ("chia", "xếp")
        need not be theirs."""
        floor = self.subject_floor * NAMED_FLOOR / SUBJECT_FLOOR if question.named_sources else self.subject_floor
        return self.subject_coverage(question, hits) < floor

    def value_kind(self, question: Question) -> re.Pattern[str] | None:
        """A value of the kind the question asks, in any written form: an amount, a figure, a time
        ("03 ngày làm việc", "450.000 đ", "504 xã"); None when it asks no value."""
        if METADATA in question.intents:
            return None
        if MONEY in question.intents or (NUMBER in question.intents and question.asks_value):
            return amount_or_figure(question.folded, MONEY in question.intents, question.subjects.get(MONEY, []))
        if question.intents & {DEADLINE, DURATION}:
            return time_requirement(question.folded)
        return None

    def proven(self, question: Question, hits: Sequence[NodeWithScore]) -> bool:
        """Do the texts prove that the documents do not say? See `evidence`."""
        return self.evidence(question, hits) is None

    def evidence(self, question: Question, hits: Sequence[NodeWithScore]) -> list[NodeWithScore] | None:
        """The sections that stop a refusal, or None when the refusal is proven. For a question
        asking a value: the top retrieved sections when a passage of theirs about its subject holds
        a value of that kind, else — about a document the question names — the few of its sections
        where one does (the document read whole: "theo Luật 15/2012 … bao nhiêu tháng" is a claim
        about that text). For any other question the general answerer has read the top sections
        already: no passage covered enough of it (words scattered over five sections — "nuôi",
        "ong", "vùng cao" — answer nothing); about a named document, its top sections must also
        miss the question's subject. Without proof, the router shows the passages instead."""
        if not hits:
            return None
        top = list(hits[:PROOF_SECTIONS])
        kind = self.value_kind(question)
        if kind is None:
            return None if not question.named_sources or self.subject_absent(question, hits) else top
        figures = bool(question.intents & {MONEY, NUMBER})
        if self._holds(question, top, kind, figures, PROOF_FLOOR):
            return None if self.subject_absent(question, hits) else top
        if question.named_sources and len(question.sources) <= NAMED_PROOF_DOCUMENTS:
            seen = {hit.node.node_id for hit in top}
            rest = [NodeWithScore(node=n, score=0.0) for s in question.sources for n in self.library.sections_of(s) if n.node_id not in seen]
            for batch in (rest[i : i + PROOF_SECTIONS] for i in range(0, len(rest), PROOF_SECTIONS)):
                if self._holds(question, batch, kind, figures, NAMED_PROOF_FLOOR):
                    return batch  # a passage's score counts its section's rank: read a few at a time
        return None

    def _holds(self, question: Question, sections: list[NodeWithScore], kind: re.Pattern[str], figures: bool, floor: float) -> bool:
        found = self.finder.find(question, sections, requirement=kind, clauses=True)
        return any(p.score >= floor and self.finder.of_asked_year(question, p, figures=figures) for p in found)

    def why_nothing(self, question: Question) -> str:
        if question.metadata_field == "signer":
            return "về người ký văn bản này"
        if MONEY in question.intents:
            return "về số tiền hay mức kinh phí được hỏi"
        if question.intents & {DEADLINE, DURATION}:
            return "về thời hạn hay mốc thời gian được hỏi"
        if NUMBER in question.intents and question.asks_value:
            return "về con số được hỏi"
        return "cho câu hỏi này"

    def answer(self, reason: str, path: str = "subject", question: Question | None = None) -> Answer:
        """Three short sentences: what was not found (and why, when the proof says it), what the
        assistant covers, and a few of the documents it holds — not a run-on list of titles
        (archives hold hundreds)."""
        entries = list(self.library.documents.values())
        provinces = sorted({e.province for e in entries if e.province})
        years = sorted({e.year for e in entries if e.year})
        national = sum(1 for e in entries if e.level == "national")
        scope = f"{len(entries)} văn bản"
        if national and provinces:
            scope += f" ({national} văn bản trung ương; văn bản của tỉnh {', '.join(provinces[:6])}{' và tỉnh khác' if len(provinces) > 6 else ''})"
        elif provinces:
            scope += f" của tỉnh {', '.join(provinces[:6])}"
        if years:
            scope += f", năm {years[0]}–{years[-1]}" if len(years) > 1 else f", năm {years[0]}"
        examples = "; ".join(e.name for e in entries[:EXAMPLES])
        subject, _, detail = reason.partition(": ")
        if question is not None and path in ("value", "subject", "stated"):
            subject += _asked_for(question, subject)
        text = f"{NOT_FOUND} {subject} trong các văn bản hiện có."
        if detail:
            text += f" {detail[:1].upper()}{detail[1:]}."
        text += f" Trợ lý trả lời từ các văn bản về phòng, chống ma túy đã đưa vào hệ thống: {scope}"
        text += f", ví dụ: {examples}." if examples else "."
        return Answer(text=text, abstained=True, answerer="refusal", refusal=path)


def _asked_for(question: Question, said: str) -> str:
    """Whom and when the question asked about, as a refusal names them ("… cho Sở Y tế, năm 2027"):
    a refusal says what is missing, not only that something is."""
    parts = []
    agencies = [a.name for a in question.agencies[:2] if fold(a.name) not in fold(said)]
    if agencies:
        parts.append("cho " + " và ".join(agencies))
    places = [p for p in question.provinces[:2] if fold(p) not in fold(said)]
    if places:
        parts.append("ở tỉnh " + ", ".join(places))
    named = {str(r.year) for r in question.documents_asked if r.year} | {y for r in question.documents_asked for y in re.findall(r"(?:19|20)\d\d", r.number)}
    years = [str(y) for y in question.years if str(y) not in said and str(y) not in named]  # "Nghị định 57/2022" names, not dates
    if years:
        parts.append("năm " + ", ".join(years))
    return (" " + ", ".join(parts)) if parts else ""
