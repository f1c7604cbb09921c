"""Facts about a document itself: who signed it and in what capacity, when and by whom it was issued,
its number, what it rests on ("Căn cứ …", "Theo/Xét đề nghị …"), to whom it was sent, from when it
applies — and whether it still applies: what other indexed documents say about it, and what it
says about others. Each fact is quoted from the document's own lines.
"""

from __future__ import annotations

import re

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.answerers.general import choose, cite_passages
from assistant.answering.builder import AnswerBuilder
from assistant.answering.evidence import BASIS, CONTACT, PHONE, STATED_THEME, THEME
from assistant.answering.passages import PassageFinder, units, with_list
from assistant.answering.types import Unanswerable
from assistant.documents.references import has_number, number_parts
from assistant.index.library import Library
from assistant.query.understand import METADATA, VALIDITY, Question
from assistant.text import fold, tone_optional, tones_optional

DOCUMENT_FIELDS = ("signer", "issuer", "recipients", "basis", "doc_date", "doc_number", "effective", "replaces")
PASSAGE_FIELDS = {"theme": THEME, "contact": CONTACT, "phone": PHONE}
# Facts a document states in its header or signature, or not at all ("Số: /KH-UBND" left blank).
_STATED = {
    "signer": "về người ký văn bản này: phần chữ ký của văn bản không ghi tên người ký",
    "doc_number": "về số hiệu của văn bản này: văn bản không ghi số (hoặc để trống)",
    "doc_date": "về ngày ban hành của văn bản này: văn bản không ghi ngày (hoặc để trống)",
    "effective": "về ngày có hiệu lực của văn bản này",
}
# "Luật này có hiệu lực thi hành từ ngày …", "Quyết định này có hiệu lực kể từ ngày ký", "… có hiệu
# lực kể từ ngày thông qua", "… sau 45 ngày kể từ ngày ký": a document stating when it applies.
# Each word with or without its tone mark: an OCR loses some ("Luật nay có hiệu lực thi hanh …").
_THIS = re.compile(r"\b(?:" + "|".join(map(tone_optional, ("Luật", "Bộ luật", "Pháp lệnh", "Nghị định", "Nghị quyết", "Thông tư liên tịch", "Thông tư",
                                                          "Quyết định", "Chỉ thị", "Kế hoạch", "Lệnh", "Văn bản", "Quy định", "Quy chế")))
                   + rf") {tone_optional('này')}\b")
_STATES_EFFECT = re.compile(_THIS.pattern + rf"[^.;]{{0,60}}?(?:{tone_optional('có hiệu lực')}|{tone_optional('hiệu lực thi hành')})")
_ADOPTED = re.compile(_THIS.pattern + rf"[^.;]{{0,200}}?\b{tone_optional('thông qua')}\b[^.;]{{0,40}}?{tone_optional('ngày')}\s+\d")
_ENDS_OTHERS = re.compile(r"\b(?:thay thế|bãi bỏ|hết hiệu lực)\b")
_ASKS_OTHERS = re.compile(r"\b(?:(?:nhung|cac)\s+(?:van ban|nghi dinh|thong tu|quyet dinh|huong dan|quy dinh|luat)\s+nao|lam het hieu luc|bai bo nhung|thay the nhung|het hieu luc nhung)\b")
_ASKS_REPLACEMENT = re.compile(r"\b(thay the boi|bi thay the|van ban nao thay|nghi dinh nao thay|thay bang)\b")


class DocumentFactsAnswerer:
    name = "document_facts"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder

    def accepts(self, question: Question) -> bool:
        """Questions about the document itself. "Quy định về trang phục … áp dụng từ khi nào?" asks
        when one provision applies (its own words say which): that is a time question. A document
        the question names but no indexed document is (a law not indexed) has no facts here."""
        if not (VALIDITY in question.intents or (METADATA in question.intents and question.metadata_field is not None)):
            return False
        if question.missing_documents:
            return False
        if question.units:
            return False  # "Điều 38 … nêu những căn cứ nào": what an article says, not the preamble's "Căn cứ"
        if question.metadata_field in (None, "effective") and len(self._own_words(question)) >= 2:
            return False
        return True

    def _own_words(self, question: Question) -> list[str]:
        """Content words of the question that neither mark its kind nor name a searched document."""
        return [t for t, weight in self.finder.scale(question, typed=True).items() if weight == 1.0]

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        """Every fact asked ("do ai ký và ban hành ngày nào?" asks two), for every document meant."""
        field = question.metadata_field
        before = len(builder)
        if field in PASSAGE_FIELDS:  # a phone number, an address, a theme: stated, or not known
            if field == "theme" and self._passages(question, hits, builder, STATED_THEME):
                return True  # "với chủ đề “…”": the theme itself, before any mention of the word
            if self._passages(question, hits, builder, PASSAGE_FIELDS[field]):
                return True
            raise Unanswerable({"phone": "về số điện thoại được hỏi", "contact": "về địa chỉ hay nơi gửi được hỏi", "theme": "về chủ đề được hỏi"}[field])
        fields = question.metadata_fields or [None]
        for source in self._targets(question, hits):
            for asked in fields:
                self._fact(question, source, asked, builder)
        if len(builder) == before and field in ("issuer", "basis", "recipients"):
            return self._passages(question, hits, builder, None)
        if len(builder) == before and question.sources and field in _STATED:
            raise Unanswerable(_STATED[field])
        return len(builder) > before

    def _fact(self, question: Question, source: str, field: str | None, builder: AnswerBuilder) -> None:
        if VALIDITY in question.intents and field in (None, "effective"):
            self._validity(question, source, builder)
        elif field == "signer":
            self._signer(source, builder)
        elif field == "issuer":
            self._issuer(source, builder)
        elif field in ("doc_date", "doc_number"):
            self._header_line(source, field, builder)
        elif field == "effective":
            self._effective(source, builder)
        elif field == "replaces":
            self._replaces(source, builder)
        elif field == "recipients":
            node = next((n for n in self.library.sections_of(source) if n.metadata.get("section") == "Nơi nhận"), None)
            if node is not None:
                builder.statement(node, node.get_content())
        elif field == "basis":
            self._basis(source, builder)

    def _targets(self, question: Question, hits: list[NodeWithScore]) -> list[str]:
        """The documents a question about "the" document means: the ones it names, else the best hit."""
        if question.sources:
            return question.sources
        top = [str(hit.node.metadata.get("source")) for hit in hits[:1]]
        return top or list(self.library.documents)[:1]

    def _first_line(self, source: str, test: "re.Pattern[str] | str", among: list[TextNode] | None = None) -> tuple[TextNode, str] | None:
        nodes = among if among is not None else self.library.sections_of(source)
        for node in nodes:
            for line in node.get_content().split("\n"):
                if (test.search(line) if isinstance(test, re.Pattern) else test in line):
                    return node, line
        return None

    def _signer(self, source: str, builder: AnswerBuilder) -> None:
        entry = self.library.documents[source]
        names = [n.strip() for n in entry.signer.split(";") if n.strip()]
        titles = [t.strip() for t in entry.signer_title.split(";")] if entry.signer_title else []
        for index, name in enumerate(names):
            node = next((n for n in reversed(self.library.sections_of(source)) if name in n.get_content()), None)
            if node is not None:
                n = builder.cite(node, name)
                title = f" ({titles[index]})" if index < len(titles) and titles[index] else ""
                builder.line(source, f"- Người ký: {name}{title} [{n}]")

    def _issuer(self, source: str, builder: AnswerBuilder) -> None:
        entry = self.library.documents[source]
        if not entry.issuer:
            return
        core = fold(re.sub(rf"\s*{re.escape(entry.province)}$", "", entry.issuer)) if entry.province else fold(entry.issuer)
        core = re.sub(r"^chu tich ", "", core)
        first = self.library.sections_of(source)[:3]
        for node in first:
            line = next((l for l in node.get_content().split("\n") if core in fold(l) or fold(l) in core and len(l) > 3), "")
            if line:
                n = builder.cite(node, line)
                builder.line(source, f"- Cơ quan ban hành: {entry.issuer} [{n}]")
                return

    def _header_line(self, source: str, field: str, builder: AnswerBuilder) -> None:
        entry = self.library.documents[source]
        value = entry.date if field == "doc_date" else entry.number
        if field == "doc_date" and (adopted := self._last_line(source, _ADOPTED)) is not None:
            node, line = adopted  # a law's, an ordinance's, a resolution's date: when it was passed
            n = builder.cite(node, _sentence_with(line, _ADOPTED))
            builder.line(source, f"- Ngày thông qua: {_sentence_with(line, _ADOPTED)} [{n}]")
        if not value or value.startswith("năm"):
            return  # left blank in the document ("ngày … tháng … năm 2023")
        first = self.library.sections_of(source)[:3]
        if field == "doc_number":
            found = self._first_line(source, number_parts(value)[0] + "/", first)
        else:
            found = self._first_line(source, re.compile(tones_optional(rf"ngày\s*\d{{1,2}}\s*tháng\s*\d{{1,2}}\s*năm\s*{entry.year}|ngày\s*\d")), first)
        if found:
            node, line = found
            label = "Ngày ban hành" if field == "doc_date" else "Số hiệu"
            n = builder.cite(node, line)
            builder.line(source, f"- {label}: {line} [{n}]")

    def _effective(self, source: str, builder: AnswerBuilder) -> bool:
        """The document's own statement of when it applies; read from its text when the parser
        found none ("Luật này có hiệu lực thi hành từ ngày …" in a format it never met)."""
        entry = self.library.documents[source]
        found = self._first_line(source, entry.effective_text[:60]) if entry.effective_text else None
        quote = entry.effective_text
        if not found:
            found = self._last_line(source, _STATES_EFFECT)
            if found is None:
                return False
            quote = _sentence_with(found[1], _STATES_EFFECT)
        node, _ = found
        n = builder.cite(node, quote)
        when = f" ({entry.effective_date})" if entry.effective_date and entry.effective_text else ""
        builder.line(source, f"- Hiệu lực{when}: {quote} [{n}]")
        return True

    def _replaces(self, source: str, builder: AnswerBuilder) -> bool:
        """What the document says it replaces, repeals or ends, quoted from its own closing lines
        (with the list they open), whether or not the parser linked the documents named."""
        before = len(builder)
        for node in reversed(self.library.sections_of(source)):
            if node.metadata.get("layout") == "appendix":
                continue
            for line in node.get_content().split("\n"):
                if _ENDS_OTHERS.search(line) and _THIS.search(line) and has_number(line):
                    builder.statement(node, with_list(node, line) if line.rstrip().endswith(":") else line)
            if len(builder) > before:
                return True
        return False

    def _last_line(self, source: str, test: "re.Pattern[str]") -> tuple[TextNode, str] | None:
        """The last body line matching `test`: closing articles state effect, not the preamble."""
        for node in reversed(self.library.sections_of(source)):
            if node.metadata.get("layout") == "appendix":
                continue
            for line in reversed(node.get_content().split("\n")):
                if test.search(line):
                    return node, line
        return None

    def _basis(self, source: str, builder: AnswerBuilder) -> None:
        for node in self.library.sections_of(source):
            if node.metadata.get("section") != "Mở đầu":
                continue
            for line in node.get_content().split("\n"):
                if BASIS.match(fold(line.strip())):
                    for unit in units(line):
                        builder.statement(node, unit)

    def _validity(self, question: Question, source: str, builder: AnswerBuilder) -> None:
        """Asked which documents this one ends: its own statement, quoted with its list. Asked
        whether it still applies: what other indexed documents say about it (quoted), or that none
        does, with the date it applies from. Asked what replaced it when nothing indexed says so:
        nothing (the refusal says it is not found)."""
        entry = self.library.documents[source]
        if _ASKS_OTHERS.search(question.folded):
            for relation in entry.relations[:1]:
                found = self._first_line(source, number_parts(relation["number"])[0] + "/")
                if found:
                    node, line = found
                    intro = self._list_intro(node, line)
                    builder.statement(node, with_list(node, intro) if intro else line)
            self._effective(source, builder)
            return
        ended = self.library.superseded.get(source, [])
        notes = self.library.status_notes(source)
        for supersession, note in zip(ended, notes):
            found = self._first_line(supersession.by, number_parts(entry.number)[0] + "/")
            if found:
                node, line = found
                intro = self._list_intro(node, line)
                if intro and intro != line:
                    builder.statement(node, intro)
                builder.statement(node, line)
            self._effective(supersession.by, builder)
            builder.line(supersession.by, f"- {note}")
        if ended or _ASKS_REPLACEMENT.search(question.folded):
            return
        if self._effective(source, builder):
            builder.line(source, "- Không văn bản nào trong hệ thống thay thế, bãi bỏ hay chấm dứt hiệu lực văn bản này.")

    @staticmethod
    def _list_intro(node: TextNode, line: str) -> str:
        """The line introducing the list `line` sits in ("3. Các văn bản sau đây hết hiệu lực …:")."""
        lines = node.get_content().split("\n")
        if line not in lines:
            return ""
        for previous in reversed(lines[: lines.index(line) + 1]):
            if previous.rstrip().endswith(":"):
                return previous
        return ""

    def _passages(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder, requirement: "re.Pattern[str] | None") -> bool:
        candidates = self.finder.find(question, hits[:12], requirement=requirement)
        if not candidates:
            return False
        floor = 0.0 if requirement is not None else max(0.34, candidates[0].score * 0.75)
        chosen = choose(candidates, max(floor, candidates[0].score * 0.75) if candidates[0].score > 0 else 0.0, limit=4)
        cite_passages(builder, self.finder, chosen)
        return bool(chosen)


def _sentence_with(line: str, pattern: "re.Pattern[str]") -> str:
    """The sentence of a line that matches: a closing clause often says two things ("Luật này có
    hiệu lực … . Luật số … hết hiệu lực …")."""
    match = pattern.search(line)
    if match is None:
        return line
    cuts = [i + 2 for i in (line.rfind(". ", 0, match.start()), line.rfind("; ", 0, match.start())) if i >= 0]
    start = max(cuts, default=0)
    ends = [i for i in (line.find(". ", match.end()), line.find("; ", match.end())) if i >= 0]
    return line[start : min(ends) + 1 if ends else len(line)].strip()
