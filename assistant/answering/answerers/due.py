"""What falls due when: "Việc gì đến hạn trong tháng 6?", "Sở Y tế có hạn báo cáo nào?" — answered
from the deadlines calendar the build extracted (index.assignments), each deadline quoted from its
section, the earliest first.

A month or quarter without a year is read in each document's own year (a plan of 2023 means June
2023), and the answer says which years it took; a yearly deadline ("hằng năm trước ngày 10/12")
falls due in its month every year. A body's deadlines are its own and those of a plural heading
that takes it in ("Các sở, ban, ngành …" for Sở Y tế). Words beyond the period and the body
("báo cáo") narrow the deadlines to those whose sentence holds them. Nothing found: handed on.
"""

from __future__ import annotations

from datetime import date

from llama_index.core.schema import NodeWithScore, TextNode

from assistant.answering.builder import AnswerBuilder
from assistant.answering.duties import asked_identities, group_covers, in_scope, node_of, verbatim
from assistant.answering.passages import PassageFinder
from assistant.documents.deadlines import date_phrases
from assistant.documents.naming import section_label
from assistant.index.assignments import Deadline
from assistant.index.library import Library
from assistant.query.duties import Period, asked_period, asks_due, asks_list, duty_words
from assistant.query.understand import ARTICLE, COMPARISON, DEADLINE, METADATA, Question
from assistant.text import fold, has_diacritics, tokens, unify_tones

MAX_DEADLINES = 12
_PERIOD_WORDS = {"thang", "quy", "nam", "trong", "vao", "den", "ngay"}


class DueAnswerer:
    name = "due"

    def __init__(self, library: Library, finder: PassageFinder) -> None:
        self.library = library
        self.finder = finder
        self.asking = duty_words() | _PERIOD_WORDS  # "báo cáo" is what is due: it narrows

    def accepts(self, question: Question) -> bool:
        if question.intents & {METADATA, COMPARISON, ARTICLE}:
            return False
        if asked_period(question) is not None:
            return asks_due(question) or (DEADLINE in question.intents and asks_list(question))
        return bool(question.agencies) and asks_due(question) and asks_list(question)

    def answer(self, question: Question, hits: list[NodeWithScore], builder: AnswerBuilder) -> bool:
        period = asked_period(question)
        identities = asked_identities(question, self.library)
        wanted = self._phrases(question)
        accented = has_diacritics(question.text)
        # a deadline a plan sets for no body in particular ("các cơ quan, đơn vị, địa phương … báo cáo
        # trước ngày 04/7/2023") is every assigned body's in that plan
        assigned = {a.document for a in self.library.responsibilities.assignments if a.identity in identities}
        chosen: list[tuple[date | None, Deadline]] = []
        for deadline in self.library.responsibilities.deadlines:
            if not in_scope(question, deadline.document):
                continue
            set_for = deadline.identity in identities or any(group_covers(deadline.agency, i) for i in identities)
            if identities and not (set_for or (deadline.agency is None and deadline.document in assigned)):
                continue
            said = f" {' '.join(tokens(_key(deadline.what, accented)))} "
            if not all(f" {phrase} " in said for phrase in wanted):
                continue
            due = _falls_due(deadline, period) if period else _first_day(deadline)
            if period and due is None:
                continue
            chosen.append((due, deadline))
        chosen.sort(key=lambda item: (item[0] or date.max, item[1].document, item[1].order))
        # one sentence may set several deadlines ("ban hành … trong tháng 5/2023 và Báo cáo … trước
        # ngày 04/7/2023"): quoted once, with every one of its deadlines
        quoted: dict[tuple[str, str], tuple[TextNode, str, list[str]]] = {}
        years: set[int] = set()
        for due, deadline in chosen:
            node = node_of(self.library, deadline)
            quote = verbatim(node, deadline.what) if node is not None else None
            if node is None or not quote:
                continue
            key = (node.node_id, quote)
            if key not in quoted:
                if len(quoted) >= MAX_DEADLINES:
                    continue
                whose = f" — {deadline.agency}" if deadline.agency and fold(deadline.agency) not in fold(section_label(node)) else ""
                quoted[key] = (node, whose, [])
            if deadline.when_text not in quoted[key][2]:
                quoted[key][2].append(deadline.when_text)
            if due is not None and (deadline.date or deadline.end):  # a year the document gives
                years.add(due.year)
        for (_, quote), (node, whose, whens) in quoted.items():
            builder.statement(node, quote, f"{section_label(node)}{whose} (hạn: {'; '.join(whens)}):")
        stated = len(quoted)
        if not stated:
            return False
        builder.intro = _intro(question, period, years, len({(d.document, d.order, d.what) for _, d in chosen}), stated)
        return True


    def _phrases(self, question: Question) -> list[str]:
        """What the deadlines must be about beyond the period and the body: the question's other
        content words, as the phrases they form in it ("báo cáo")."""
        kept = {t for t in question.terms if t not in self.asking and not t.isdigit() and self.finder.known(t)}
        accented = has_diacritics(question.text)
        phrases: list[list[str]] = [[]]
        for word in tokens(_key(question.text, accented)):
            if fold(word) in kept:
                phrases[-1].append(word)
            elif phrases[-1]:
                phrases.append([])
        return [" ".join(p) for p in phrases if p]

def _key(text: str, accented: bool) -> str:
    """Words compared with their accents when the question has them ("báo cáo" is not "bảo … cao")."""
    return unify_tones(text).lower() if accented else fold(text)


def _interval(deadline: Deadline) -> tuple[date, date, bool] | None:
    """(first day, last day, comes back every year) of a deadline; a day without a year
    ("trước ngày 10/12" in a yearly duty) is read in a leap year so its month counts."""
    first = deadline.start or deadline.date
    last = deadline.end or deadline.date
    if first and last:
        return date.fromisoformat(first), date.fromisoformat(last), deadline.recurrence == "hằng năm"
    phrases = date_phrases(deadline.when_text, 2000)
    if phrases and (phrases[0].date or phrases[0].end):
        day = date.fromisoformat(phrases[0].date or phrases[0].end or "")
        start = date.fromisoformat(phrases[0].start) if phrases[0].start else day
        return start, day, True
    return None


def _falls_due(deadline: Deadline, period: Period) -> date | None:
    """The day within the period the deadline falls due (or its period starts), None when it does
    not; the question's year, else the deadline's own."""
    span = _interval(deadline)
    if span is None:
        return None
    first, last, yearly = span
    year = period.year or last.year
    if yearly:  # every year: the same days in the year asked
        first, last = _in_year(first, year - (last.year - first.year)), _in_year(last, year)
    start, end = period.bounds(year)
    if last < start or first > end:
        return None
    return max(first, start) if first < start else first


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29/02
        return day.replace(year=year, day=28)


def _first_day(deadline: Deadline) -> date | None:
    span = _interval(deadline)
    return span[1] if span else None


def _intro(question: Question, period: Period | None, years: set[int], found: int, stated: int) -> str:
    """What was looked for, and the year assumed when the question names none."""
    who = f" của {question.agencies[0].name}" if question.agencies else ""
    if period is None:
        text = f"Các hạn{who} theo các văn bản (sớm nhất trước):"
    elif period.year:
        text = f"Các việc{who} đến hạn hoặc diễn ra trong {period.wording} (năm {period.year}):"
    else:
        assumed = ", ".join(str(y) for y in sorted(years))
        text = (f"Các việc{who} đến hạn hoặc diễn ra trong {period.wording}. Câu hỏi không nêu năm nên lấy "
                f"năm của từng văn bản ({assumed}); việc định kỳ hằng năm tính vào năm đó:")
    if found > stated:
        text += f" (nêu {stated} trong {found} hạn tìm thấy)"
    return text
