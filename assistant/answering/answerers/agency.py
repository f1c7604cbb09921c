"""What a body must do: its blocks in plans ("4. Sở Y tế"), the articles and clauses of laws and
decrees that assign it duties ("Trách nhiệm của Bộ Y tế", "2. Bộ Y tế: …"), from every document
that assigns any — grouped per document, documents in force and the most recent first. Where it is
named only as a partner ("phối hợp với Sở Y tế"), one line says where.

At the scale of an archive (hundreds of plans over ten years), at most `MAX_DOCUMENTS` documents
are quoted: those in force, and of one body's plans only the most recent; the others are counted
and listed by name under the answer, so each can be asked about.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.answerers.general import choose, cite_passages
from assistant.answering.builder import AnswerBuilder
from assistant.answering.duties import asked_identities, assignments_of, in_scope, lines_of, node_of, verbatim
from assistant.answering.passages import Passage, PassageFinder, block_units, clip_quote, sentences, with_list
from assistant.answering.types import Unanswerable
from assistant.documents.agencies import agency_key
from assistant.documents.naming import document_heading, section_label
from assistant.documents.vocabulary import document_kinds
from assistant.index.library import Library
from assistant.query.understand import (
    AGENCY, ARTICLE, COMPARISON, DEADLINE, DEFINITION, DURATION, METADATA, MONEY, NUMBER, Question, intent_words, tokens,
)
from assistant.text import comparable, fold, unify_tones

_UBND_WORDS = frozenset("uy ban nhan dan".split())  # what agency_key makes of "UBND"

MAX_DOCUMENTS = 4
MAX_LISTED = 40  # other documents named one by one under the answer
_HEADING = re.compile(r"^Điều\s+\d+[a-zđ]?\s*[\.:]")
MAX_PARTNER_MENTIONS = 6
_OTHER_KINDS = {DEADLINE, DURATION, NUMBER, MONEY, METADATA, DEFINITION, ARTICLE}


def generic_task_words() -> set[str]:
    """Words that ask "what are the tasks" rather than which task: they do not narrow a question."""
    kinds = {w for kind in document_kinds() for w in fold(kind.name).split()}
    return set(intent_words("tasks", markers_only=False)) | set(intent_words(COMPARISON)) | kinds | {"van", "ban", "cong", "viec", "cu", "the", "gom", "thuc", "hien", "cac"}


class AgencyAnswerer:
    name = "agency"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder
        self.generic = generic_task_words()

    def accepts(self, question: Question) -> bool:
        return AGENCY in question.intents and bool(question.agencies) and not (_OTHER_KINDS & question.intents)

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        before = len(builder)
        if self._focused(question, hits, builder):
            return True
        # The body's assignments as the build extracted them (the matrix of the "Ai làm gì" tab),
        # each task quoted from its section; a block the extraction did not keep (a heading it could
        # not read as a body) is still quoted whole, so no document's tasks go missing.
        places: dict[str, list[tuple[int, TextNode, list[str]]]] = {}
        for assignment in assignments_of(self.library, asked_identities(question, self.library), question):
            node = node_of(self.library, assignment)
            if node is None:
                continue
            # in an article, the body's clause and the clauses that name it; in a plan, its block's tasks
            names = [m.key for m in question.agencies] if node.metadata.get("layout") == "normative" else []
            quotes = lines_of(node, [task.text for task in assignment.tasks], names)
            held = comparable(" ".join(quotes).replace("*", ""))
            quotes += [q for task in assignment.tasks if comparable(task.text[:200]) not in held and (q := verbatim(node, task.text))]
            if quotes and node.node_id not in {n.node_id for _, n, _ in places.get(assignment.document, [])}:
                places.setdefault(assignment.document, []).append((assignment.order, node, quotes))
        covered = {node.node_id for items in places.values() for _, node, _ in items}
        for match in question.agencies:
            for node_id in self.library.agency_blocks.get(match.key, []):
                node = self.library.nodes[node_id]
                if node_id in covered or not in_scope(question, str(node.metadata.get("source"))):
                    continue
                covered.add(node_id)
                places.setdefault(str(node.metadata.get("source")), []).append((int(node.metadata.get("order", 0)), node, block_units(node.get_content())))
        shown, others = self._choose_documents(list(places))
        for source in shown:
            for _, node, quotes in sorted(places[source], key=lambda item: item[0]):
                header = f"{section_label(node)}:"
                for quote in quotes:
                    builder.statement(node, quote, header)
        if others:
            builder.notes.append(self._others_note(question.agencies[0].name, others))
        self._partner_mentions(question, covered, set(question.sources) if question.sources else None, builder, self._topic(question))
        return len(builder) > before

    def _choose_documents(self, sources: list[str]) -> tuple[list[str], list[str]]:
        """The documents quoted and the others. In force first, the most recent first; of the
        plans one body issued (a province issues its plan again every year) only the most recent
        is quoted, so an archive of ten years answers with this year's plans and the laws."""
        ranked = sorted(sources, key=self._document_rank)
        shown: list[str] = []
        issuers: set[str] = set()
        for source in ranked:
            issuer = self._plan_issuer(source)
            if len(shown) < MAX_DOCUMENTS and not (issuer and issuer in issuers):
                shown.append(source)
            if issuer:
                issuers.add(issuer)
        return shown, [s for s in ranked if s not in shown]

    def _plan_issuer(self, source: str) -> str:
        """Who issued a plan ("" for other kinds of document: each decree stands on its own)."""
        entry = self.library.documents[source]
        if not fold(f"{entry.doc_type} {entry.title}").lstrip().startswith("ke hoach") and fold(entry.doc_type) != "ke hoach":
            return ""
        issuer = re.sub(r"^chu tich\s+", "", fold(entry.issuer or ""))
        return f"{issuer}|{fold(entry.province or '')}" if issuer or entry.province else ""

    def _others_note(self, agency: str, others: list[str]) -> str:
        """How many other documents assign the body tasks, each named so it can be asked about;
        a bold line and a list, which the web chat shows behind its "Xem thêm" (views.collapse_long_parts)."""
        listed = others[:MAX_LISTED]
        lines = [f"**Còn {len(others)} văn bản khác cũng giao nhiệm vụ cho {agency}**",
                 f"Để xem nhiệm vụ trong một văn bản, hãy hỏi: “{agency} phải làm gì theo <tên văn bản>?”"]
        for source in listed:
            entry = self.library.documents[source]
            when = entry.date or (str(entry.year) if entry.year else "")
            status = "" if self.library.in_force(source) else ", đã hết hiệu lực"
            lines.append(f"- {document_heading(entry, source)}{f' ({when}{status})' if when or status else ''}")
        if len(others) > len(listed):
            lines.append(f"- và {len(others) - len(listed)} văn bản khác (lọc theo tỉnh hoặc năm để thu hẹp)")
        return "\n".join(lines)

    def _document_rank(self, source: str) -> tuple[bool, int, str]:
        """Documents in force first, then the most recent."""
        entry = self.library.documents[source]
        date = entry.date or ""
        key = date[6:10] + date[3:5] + date[0:2] if len(date) == 10 else str(entry.year or "")
        return (not self.library.in_force(source), -int(key or 0), source)

    # ------------------------------------------------------------ partners

    def _partner_mentions(self, question: Question, own_blocks: set[str], scope: set[str] | None, builder: AnswerBuilder, topic: set[str] | frozenset[str] = frozenset()) -> None:
        """Places where the body is named as a partner ("phối hợp với … Sở Y tế"), in documents
        whose title names the question's `topic` when it has one (a flood fund's decision naming
        Sở Nông nghiệp is not about "phòng, chống ma túy")."""
        names = {match.key for match in question.agencies}
        # A section can name the body only if its document uses the name's own words (the key
        # only adds "ủy ban nhân dân" for "UBND"): only those documents' sentences are keyed.
        needed = [" ".join(w for w in name.split() if w not in _UBND_WORDS) for name in names]
        within = None if not all(needed) else set().union(*(self.library._sources_with_words(n) for n in needed))
        found: list[tuple[int, TextNode, str]] = []
        for text, (sources, node_ids) in self._section_texts.items():  # each distinct section text once
            if within is not None and not sources & within:
                continue
            mentions = [text for text, key in self._sentence_keys(text) if any(f" {name} " in key for name in names)]
            if not mentions:
                continue
            # the clause that heads the body's own tasks ("2. Trách nhiệm của Sở Y tế:") before a mention in passing
            sentence = next((m for m in mentions if self._heads_tasks(m, question)), mentions[0])
            for position, node_id in node_ids:
                node = self.library.nodes[node_id]
                if node_id not in own_blocks and not (scope and node.metadata.get("source") not in scope) and self._on_topic(node, topic):
                    found.append((position, node, sentence))
        found.sort(key=lambda item: item[0])  # in the library's order, as the sections were read
        if not found:
            if not own_blocks and question.asks_tasks:  # asked what it must do; no document assigns or names it
                raise Unanswerable(f"về nhiệm vụ giao cho {question.agencies[0].name}: văn bản không giao nhiệm vụ cho cơ quan này")
            return
        # An article that shares a competence out between bodies ("1. Bộ Công an cho phép …, trừ các
        # tiền chất công nghiệp do Bộ Công Thương quản lý và cho phép"; "2. Bộ Công Thương cho phép …")
        # defines the body's duty in its other clauses too: those sentences are stated, not only referred to.
        own_articles = {(str(n.metadata.get("source")), str(n.metadata.get("section"))) for nid in own_blocks
                        if (n := self.library.nodes.get(nid)) is not None and n.metadata.get("layout") == "normative"}
        refs = []
        for _, node, sentence in found[:MAX_PARTNER_MENTIONS]:
            if (str(node.metadata.get("source")), str(node.metadata.get("section"))) in own_articles:
                builder.statement(node, clip_quote(sentence, names))
                continue
            n = builder.cite(node, clip_quote(sentence, names))
            entry = self.library.documents.get(str(node.metadata.get("source")))
            province = f"{entry.province}, " if entry and entry.province else ""
            refs.append(f"{province}{section_label(node)} [{n}]")
        if not own_blocks:
            for _, node, sentence in found[:MAX_PARTNER_MENTIONS]:  # named only as a partner: those sentences answer
                # "3. Trách nhiệm của Công an tỉnh …:", "2. Văn phòng Bộ có trách nhiệm:" heads the body's
                # own tasks in a clause the parser did not make its block: quoted with them
                builder.statement(node, with_list(node, sentence) if self._heads_tasks(sentence, question) else clip_quote(sentence, names))
            return
        if refs:
            builder.notes.append(f"{question.agencies[0].name} còn được nêu là đơn vị phối hợp hoặc liên quan tại: " + "; ".join(refs) + ".")

    def _heads_tasks(self, sentence: str, question: Question) -> bool:
        """ "3. Trách nhiệm của Công an tỉnh, thành phố trực thuộc Trung ương:", "2. Văn phòng Bộ có
        trách nhiệm:": a line naming the body, as written (the "Sở Y tế" of "cơ sở y tế" is none), that
        opens a list — the body's tasks, in a clause the parser did not make its block."""
        written = unify_tones(sentence)
        return sentence.rstrip().endswith(":") and any(unify_tones(match.name) in written for match in question.agencies)

    def _on_topic(self, node: TextNode, topic: set[str] | frozenset[str]) -> bool:
        entry = self.library.documents.get(str(node.metadata.get("source")))
        return not topic or (entry is not None and topic <= set(tokens(fold(entry.title))))

    @cached_property
    def _section_texts(self) -> dict[str, tuple[set[str], list[tuple[int, str]]]]:
        """Each distinct section text, the documents holding it and the sections (with their place
        in the library) that read so: once per index and once per text — an archive repeats a
        province's plan year after year. Keying every sentence of 7,000 sections at the first
        agency question took seconds of a cold start: sentences are keyed when first needed."""
        by_text: dict[str, tuple[set[str], list[tuple[int, str]]]] = {}
        for position, (node_id, node) in enumerate(self.library.nodes.items()):
            if node.metadata.get("section") in ("Nơi nhận", "Chữ ký") or node.metadata.get("layout") == "appendix":
                continue
            entry = by_text.setdefault(node.get_content(), (set(), []))
            entry[0].add(str(node.metadata.get("source", "")))
            entry[1].append((position, node_id))
        return by_text

    def _sentence_keys(self, text: str) -> list[tuple[str, str]]:
        """A section text's sentences with their agency keys, made when a question first needs them."""
        keyed = self._keyed.get(text)
        if keyed is None:
            keyed = self._keyed[text] = [(sentence, f" {agency_key(sentence)} ") for sentence in sentences(text)]
        return keyed

    @cached_property
    def _keyed(self) -> dict[str, list[tuple[str, str]]]:
        return {}

    # ------------------------------------------------------------ one task

    def _specific_terms(self, question: Question) -> list[str]:
        titles = " ".join(fold(self.library.documents[s].title) for s in question.sources) if question.sources else ""
        named = set(tokens(titles))
        generic = self.generic if question.asks_tasks else set()  # "tổng hợp báo cáo lên đâu?" asks one thing
        specific = [t for t in question.terms if t not in generic and t not in named and self.finder.idf(t) > 1.0 and self.finder.known(t)]
        # "… trong phòng, chống ma túy" when every document giving the body tasks is about that: the
        # words name the subject of those documents, not one of the body's tasks; the block answers.
        return [] if specific and set(specific) <= self._subject_words(question) else specific

    def _topic(self, question: Question) -> set[str]:
        """The question's words that every document giving the body tasks has in its title
        ("phòng, chống ma túy"): what the question is about, which a text naming the body on
        another subject (a flood fund's decision) is not."""
        generic = self.generic if question.asks_tasks else set()
        return {t for t in question.terms if t not in generic} & self._subject_words(question)

    def _subject_words(self, question: Question) -> set[str]:
        """Words in the title of every document that gives the body tasks ("phòng, chống ma túy"):
        what those documents are about, not which of the body's tasks is asked."""
        sources = {str(self.library.nodes[nid].metadata.get("source")) for m in question.agencies
                   for nid in self.library.agency_blocks.get(m.key, []) if nid in self.library.nodes}
        if len(sources) < 2:
            return set()
        counts = Counter(t for s in sources for t in set(tokens(fold(self.library.documents[s].title))))
        return {t for t, n in counts.items() if n == len(sources)}

    def _focused(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        """ "Công an tỉnh báo cáo kết quả cho những cơ quan nào?" asks for one task, not the whole block.

        Only when passages naming the agency cover most of the question's specific words;
        otherwise the full block is the answer. A question that does not ask for tasks at all
        ("… tổng hợp báo cáo lên những nơi nào?") needs less evidence to be answered narrowly.
        """
        specific = self._specific_terms(question)
        if len(specific) < (2 if question.asks_tasks else 1):
            return False
        narrowed = Question(**{**question.__dict__, "terms": specific})
        context = self._agency_context(question, hits)
        candidates: list[Passage] = [p for p in self.finder.find(narrowed, context, agency_only=True) if not _HEADING.match(p.text)]
        if not candidates or candidates[0].score < (0.75 if question.asks_tasks else 0.45):
            return False
        chosen = choose(candidates, max(0.34, candidates[0].score * 0.75), limit=5)
        cite_passages(builder, self.finder, chosen)
        return bool(chosen)

    def _agency_context(self, question: Question, hits: list[NodeWithScore]) -> list[NodeWithScore]:
        """The agency's own blocks first, then retrieved sections that name it."""
        ids = [nid for m in question.agencies for nid in self.library.agency_blocks.get(m.key, [])]
        ids += [hit.node.node_id for hit in hits if hit.node.node_id not in ids]
        return [NodeWithScore(node=self.library.nodes[nid], score=1.0) for nid in ids if nid in self.library.nodes]
