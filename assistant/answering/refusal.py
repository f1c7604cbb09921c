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

from assistant.answering.passages import PassageFinder
from assistant.answering.types import NOT_FOUND, Answer
from assistant.index.library import Library
from assistant.query.understand import DEADLINE, DURATION, MONEY, NUMBER, Question, intent_words, tokens
from assistant.text import fold, has_diacritics, unify_tones

SUBJECT_FLOOR = 0.5  # share of the question's specific words that the retrieved passages must hold
SUBJECT_HITS = 6  # how many retrieved sections are read for that


class Refusal:
    def __init__(self, library: Library, finder: PassageFinder, subject_floor: float = SUBJECT_FLOOR) -> None:
        self.library = library
        self.finder = finder
        self.subject_floor = subject_floor

    def out_of_scope(self, question: Question) -> str:
        """Why the documents cannot answer, before anything is searched ("" when they may)."""
        if question.missing_documents and not question.sources:
            names = ", ".join(question.missing_documents)
            return f"về {names}: văn bản này chưa có trong hệ thống"
        if question.units and question.sources:
            held = {str(n.metadata.get("section")) for s in question.sources for n in self.library.sections_of(s)}
            absent = [u for u in question.units if u.label not in held]
            if absent and len(absent) == len(question.units):
                names = "; ".join(self.library.documents[s].name for s in question.sources)
                return f"về {absent[0].describe()} của {names}: văn bản này không có điều đó (hoặc phần chứa nó không có trong bản đã lưu)"
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

    def subject_coverage(self, question: Question, hits: Sequence[NodeWithScore]) -> float:
        """How much of what the question is about the top retrieved sections mention: the share (by
        rarity) of its content words, and of its adjacent word pairs ("bảo tàng", "tiền ăn": in
        Vietnamese most words are two syllables), found in their text and headings. Compared with
        accents when the question has them ("bảo tàng" is not "báo cáo tăng"). Words that only mark
        the kind of question or name the document asked about do not count. 1.0 when nothing is left."""
        accented = has_diacritics(question.text)
        key = (lambda text: unify_tones(text).lower()) if accented else fold
        marks = set().union(*(intent_words(i) for i in question.intents)) if question.intents else set()
        named = self._named_words(question)
        wanted = set(question.terms) - marks - named
        asked = tokens(key(question.text))
        content = [t if fold(t) in wanted else None for t in asked]
        words = [t for t in content if t]
        if not words:
            return 1.0
        seen: list[str] = []
        for hit in hits[:SUBJECT_HITS]:
            seen.extend(tokens(key(f"{hit.node.metadata.get('heading_path', '')} {hit.node.get_content()}")))
        seen_words = set(seen)
        seen_pairs = set(zip(seen, seen[1:]))
        weight = {t: self.finder.idf(fold(t)) for t in set(words)}
        total = sum(weight.values()) or 1.0
        unigrams = sum(w for t, w in weight.items() if t in seen_words) / total
        pairs = [(a, b) for a, b in zip(content, content[1:]) if a and b]
        if not pairs:
            return unigrams
        return 0.4 * unigrams + 0.6 * sum(1 for pair in pairs if pair in seen_pairs) / len(pairs)

    def _named_words(self, question: Question) -> set[str]:
        """Words that name the documents searched (their titles and issuers): inside them they say nothing."""
        searched = question.compared or question.sources
        if not searched or len(searched) >= len(self.library.documents):
            return set()
        return set(tokens(" ".join(fold(f"{self.library.documents[s].title} {self.library.documents[s].issuer}") for s in searched)))

    def subject_absent(self, question: Question, hits: Sequence[NodeWithScore]) -> bool:
        return self.subject_coverage(question, hits) < self.subject_floor

    def why_nothing(self, question: Question) -> str:
        if question.metadata_field == "signer":
            return "về người ký văn bản này"
        if MONEY in question.intents:
            return "về số tiền hay mức kinh phí được hỏi"
        if question.intents & {DEADLINE, DURATION}:
            return "về thời hạn hay mốc thời gian được hỏi"
        if NUMBER in question.intents:
            return "về con số được hỏi"
        return "cho câu hỏi này"

    def answer(self, reason: str) -> Answer:
        """One fixed sentence, then what the documents do cover (briefly: archives hold hundreds)."""
        entries = list(self.library.documents.values())
        provinces = sorted({e.province for e in entries if e.province})
        years = sorted({e.year for e in entries if e.year})
        national = sum(1 for e in entries if e.level == "national")
        scope = f"{len(entries)} văn bản"
        if national:
            scope += f" ({national} văn bản trung ương" + (f", văn bản của tỉnh {', '.join(provinces)}" if provinces else "") + ")"
        elif provinces:
            scope += f" của tỉnh {', '.join(provinces)}"
        if years:
            scope += f", năm {years[0]}–{years[-1]}" if len(years) > 1 else f", năm {years[0]}"
        shown = "; ".join(e.label for e in entries[:5]) + (f"; và {len(entries) - 5} văn bản khác" if len(entries) > 5 else "")
        subject, _, detail = reason.partition(": ")
        text = f"{NOT_FOUND} {subject} trong các văn bản hiện có."
        if detail:
            text += f" {detail[:1].upper()}{detail[1:]}."
        text += f" Hệ thống đang có {scope}: {shown}."
        return Answer(text=text, abstained=True, answerer="refusal")
