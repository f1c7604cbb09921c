"""What a term means: the clause of a "Giải thích từ ngữ" article that defines it ("11. Tái nghiện là
…"), or a sentence elsewhere that does ("Thiết bị giám sát điện tử là …", "… được xác định là
nghiện ma túy khi …"), or the line naming an annexed list ("Danh mục IV: Các tiền chất: …"); every
document that defines it, the document in force first."""

from __future__ import annotations

import re
from functools import cached_property

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.builder import AnswerBuilder
from assistant.answering.passages import PassageFinder, sentences, with_list
from assistant.documents.annexes import annex_key, annex_lines
from assistant.documents.references import entry_code, entry_key
from assistant.index.library import Library
from assistant.query.understand import DEFINITION, Question, tokens
from assistant.text import fold

_DEFINES = re.compile(r"^(?:\d{1,3}\.\s+|[a-zđ]\)\s+)?(?P<term>[^:;.]{2,160}?)\s+(?:là|được hiểu là|bao gồm)\s+\S")
# "Người được chẩn đoán xác định là nghiện ma túy khi có …", "… bị coi là tái phạm khi …": a term
# defined by the conditions under which something is deemed it.
_DEEMED = re.compile(r"\b(?:được|bị)\s+(?:\S+\s+){0,4}?(?:là|coi là|xem là)\s+(?P<term>[^,;:.]{2,80}?)\s+khi\s+\S")
MIN_OVERLAP = 0.75  # share of the asked term's words the defined term must have (and vice versa, loosely)


class DefinitionAnswerer:
    name = "definition"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder

    def accepts(self, question: Question) -> bool:
        return DEFINITION in question.intents and bool(question.term)

    @cached_property
    def _definitions(self) -> list[tuple[str, str, TextNode, bool]]:
        """(folded term, defining line, node, from a definitions article) — built once per index."""
        found: list[tuple[str, str, TextNode, bool]] = []
        for ids in self.library.rosters.values():  # "Danh mục IV: Các tiền chất: …" says what that list is
            for nid in ids:
                node = self.library.nodes[nid]
                found.extend((annex_key(m.group("label")), m.group(0).strip(), node, False) for m in annex_lines(node.get_content()))
        for node in self.library.nodes.values():
            glossary = "giai thich tu ngu" in fold(str(node.metadata.get("heading_path", "")))
            for line in node.get_content().split("\n"):
                candidates = [line] if glossary else sentences(line)[:2]
                for text in candidates:
                    for match in (_DEFINES.match(text.strip()), _DEEMED.search(text)):
                        if match and len(match.group("term").split()) <= 14:
                            found.append((" ".join(tokens(fold(match.group("term")))), text.strip(), node, glossary))
        return found

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        asked = question.term.split()
        scope = set(question.sources) if question.sources else None
        entries = {entry_key(code) for code in question.entries}
        matches: list[tuple[float, str, TextNode]] = []
        for term, line, node, glossary in self._definitions:
            if scope and node.metadata.get("source") not in scope:
                continue
            words = term.split()
            shared = sum(1 for w in asked if w in words)
            if shared / len(asked) < MIN_OVERLAP or shared / max(1, len(words)) < 0.5 or words[:1] != asked[:1]:
                continue  # "Tổ quản lý …" is not "Hồ sơ quản lý …": the head word decides
            exact = term == question.term or term.endswith(" " + question.term) or term.startswith(question.term)
            named = entry_code(str(node.metadata.get("section", ""))) in entries  # "(chỉ tiêu 504)": that entry's own definition
            matches.append((shared / len(asked) + (0.5 if exact else 0) + (0.3 if glossary else 0) + (0.5 if named else 0), line, node))
        if not matches:
            return False
        matches.sort(key=lambda m: -m[0])
        best = matches[0][0]
        per_document: dict[str, tuple[str, TextNode]] = {}
        for score, line, node in matches:
            source = str(node.metadata.get("source"))
            if score >= best - 0.2 and source not in per_document:
                per_document[source] = (line, node)
        for line, node in list(per_document.values())[:3]:
            builder.statement(node, with_list(node, line))
        return True
