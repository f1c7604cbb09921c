"""Who leads and who supports: "Ai chủ trì việc kiểm tra cơ sở kinh doanh tiền chất?", "Những cơ
quan nào phối hợp với Sở Y tế?" — answered from the responsibility matrix the build extracted
(index.assignments), each body with the clause of its task that says so, quoted from its section.

A task is matched by the question's content words (accent-insensitive, weighted by rarity); a
clause that says "chủ trì" leads, one that opens with "phối hợp" supports, any other the body does
itself. The answer names the bodies first (leading, then doing, then supporting), then the clauses
per document. Nothing matched: the question is handed on (the general answerer searches the text).
"""

from __future__ import annotations

from dataclasses import dataclass

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.builder import AnswerBuilder
from assistant.answering.duties import asked_identities, clause_role, clauses, in_scope, node_of, verbatim
from assistant.answering.passages import PassageFinder
from assistant.documents.naming import section_label
from assistant.index.assignments import CARRY_OUT, LEAD, SUPPORT, Assignment, body_identity
from assistant.index.library import Library
from assistant.query.duties import asked_role, duty_words
from assistant.query.understand import ARTICLE, COMPARISON, METADATA, TIME, Question, intent_words
from assistant.text import fold, has_diacritics, tokens, unify_tones

MATCH_FLOOR = 0.7  # share of the description's weight a clause must hold
FEW_WORDS = 4  # a description this short ("kiểm tra tiền chất") is held whole
RELATIVE = 0.75  # of the best clause's share, for the others shown
MAX_CLAUSES = 8
_ORDER = {LEAD: 0, CARRY_OUT: 1, SUPPORT: 2}
_ROLE_NAMES = {LEAD: "Chủ trì", CARRY_OUT: "Thực hiện", SUPPORT: "Phối hợp"}


@dataclass
class Found:
    assignment: Assignment
    node: TextNode
    quote: str
    role: str
    score: float


class RoleAnswerer:
    name = "roles"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder
        self.asking = duty_words() | intent_words("tasks", markers_only=False)  # "kế hoạch", "báo cáo" describe a task

    def accepts(self, question: Question) -> bool:
        if question.intents & {METADATA, COMPARISON, ARTICLE, *TIME}:
            return False  # "cơ quan nào chủ trì … và hiệu lực từ khi nào?" asks a time too: the passages answer both
        role = asked_role(question)
        # "Sở Công thương phối hợp với ai, làm gì?" asks the body's tasks: its block answers
        return role == LEAD or (role == SUPPORT and not (question.agencies and question.asks_tasks))

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        role = asked_role(question)
        wanted = self._description(question)
        identities = asked_identities(question, self.library)
        if role == SUPPORT and identities and not wanted:
            found = self._partners_of(identities, question)
        elif wanted:
            found = self._matching(wanted, identities, question, role)
        else:
            return False
        if not found:
            return False
        self._write(found, role, question, builder)
        return True

    # ------------------------------------------------------------ what the question describes

    def _description(self, question: Question) -> dict[str, float]:
        """The task the question describes: its content words, each weighted by its rarity."""
        words = {t for t in question.terms if t not in self.asking and len(t) > 1 and self.finder.known(t)}
        accented = has_diacritics(question.text)
        typed = [t for t in tokens(_key(question.text, accented)) if fold(t) in words]
        return {t: self.finder.idf(t, accented=accented) for t in typed}

    def _matching(self, wanted: dict[str, float], identities: list[str], question: Question, role: str | None) -> list[Found]:
        """Clauses of every task that hold most of the description; with a body named, only its
        tasks and the tasks naming it as partner."""
        total = sum(wanted.values()) or 1.0
        accented = has_diacritics(question.text)  # "tiền chất" is not "tiến độ" when accents are typed
        rarest = max(wanted, key=lambda w: wanted[w])  # what the task is about ("tiền" of "tiền chất"), not its verb
        found: list[Found] = []
        for assignment in self.library.responsibilities.assignments:
            if not in_scope(question, assignment.document):
                continue
            named = assignment.identity in identities or any(body_identity(p) in identities for p in assignment.partners)
            if identities and not named:
                continue
            node = node_of(self.library, assignment)
            if node is None:
                continue
            for task in assignment.tasks:
                scored = []
                for clause in clauses(task.text):
                    held = set(tokens(_key(clause, accented)))
                    score = sum(w for t, w in wanted.items() if t in held) / total
                    if not (score < 1.0 if len(wanted) <= FEW_WORDS else score < MATCH_FLOOR or rarest not in held):
                        scored.append((score, clause))
                if not scored:
                    continue
                score, clause = max(scored, key=lambda item: item[0])  # one task, its clause that says it best
                quote = verbatim(node, clause)
                if quote:
                    found.append(Found(assignment, node, quote, clause_role(clause, assignment.agency), score))
        if not found:
            return []
        best = max(f.score for f in found)
        found = [f for f in found if f.score >= best * RELATIVE]
        first = role or LEAD
        found.sort(key=lambda f: (f.role != first, _ORDER[f.role], -f.score, f.assignment.document, f.assignment.order))
        return _distinct(found)[:MAX_CLAUSES]

    def _partners_of(self, identities: list[str], question: Question) -> list[Found]:
        """ "Những cơ quan nào phối hợp với Sở Y tế?": the bodies told to work with it, and those it
        is told to work with, each with the clause that says so."""
        found: list[Found] = []
        for assignment in self.library.responsibilities.assignments:
            if not in_scope(question, assignment.document) or not assignment.partners:
                continue
            own = assignment.identity in identities
            named = [p for p in assignment.partners if body_identity(p) in identities]
            if not own and not named:
                continue
            node = node_of(self.library, assignment)
            if node is None:
                continue
            partners = assignment.partners if own else named
            for task in assignment.tasks:
                for clause in clauses(task.text):
                    if "phoi hop" in fold(clause) and any(fold(p) in fold(clause) for p in partners):
                        quote = verbatim(node, clause)
                        if quote:
                            found.append(Found(assignment, node, quote, SUPPORT if not own else clause_role(clause, assignment.agency), 1.0))
        found.sort(key=lambda f: (f.assignment.identity in identities, f.assignment.document, f.assignment.order))
        return _distinct(found)[:MAX_CLAUSES]

    # ------------------------------------------------------------ the answer

    def _write(self, found: list[Found], role: str | None, question: Question, builder: AnswerBuilder) -> None:
        identities = asked_identities(question, self.library)
        if role == SUPPORT and identities and all(f.role == SUPPORT or f.assignment.identity in identities for f in found):
            subject = question.agencies[0].name
            names: list[str] = []
            for f in found:
                others = [p for p in f.assignment.partners if body_identity(p) not in identities] if f.assignment.identity in identities else [f.assignment.agency]
                names += [n for n in others if n not in names]
            builder.intro = f"Các cơ quan phối hợp với {subject} theo các văn bản: {', '.join(names)}." if names else ""
        else:
            by_role: dict[str, list[str]] = {}
            for f in found:
                listed = by_role.setdefault(f.role, [])
                partners = [p for p in f.assignment.partners if fold(p) in fold(f.quote)] if f.role == SUPPORT else []
                name = f"{f.assignment.agency} (với {', '.join(partners)})" if partners else f.assignment.agency
                if name not in listed:
                    listed.append(name)
            lines = [f"{_ROLE_NAMES[r]}: {'; '.join(by_role[r])}." for r in (LEAD, CARRY_OUT, SUPPORT) if r in by_role]
            if role == LEAD and LEAD not in by_role:
                lines.insert(0, "Các văn bản không nêu cơ quan chủ trì đúng việc này; các cơ quan được giao việc gần nhất:")
            builder.intro = " ".join(lines)
        for f in found:
            label = section_label(f.node)
            who = "" if fold(f.assignment.agency) in fold(label) else f" — {f.assignment.agency}"
            builder.statement(f.node, f.quote, f"{label}{who} ({f.role}):")


def _key(text: str, accented: bool) -> str:
    return unify_tones(text).lower() if accented else fold(text)


def _distinct(found: list[Found]) -> list[Found]:
    """One clause quoted once, even when a heading assigns it to several bodies."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Found] = []
    for f in found:
        key = (f.node.node_id, f.quote, f.assignment.agency)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
