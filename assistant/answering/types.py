"""What an answer is: statements, each resting on a cited verbatim passage, or a refusal."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from llama_index.core.schema import NodeWithScore

NOT_FOUND = "Không tìm thấy thông tin"


@dataclass
class Citation:
    """Source n of an answer: the file, the document's title, the place ("Điều 30, khoản 2"), and
    the quoted passage, word for word."""

    n: int
    source: str
    title: str
    section: str
    quote: str
    province: str = ""
    heading_path: str = ""
    node_id: str = ""
    number: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    answerer: str = ""  # which answerer produced it (shown in --json, used by the eval per kind)
    refusal: str = ""  # how a refusal was proven (`refusal.PATHS`); "" for an answer


class Unanswerable(Exception):
    """Raised by an answerer that knows the documents do not say (a money question with no amount,
    a signer the document does not name): the router refuses with `reason` instead of trying others.

    `needs_proof`: the claim is about what the retrieved passages hold (no amount among them), and
    the router refuses only when the top sections prove it; a fact the answerer read in the
    document itself (no signer in its signature block) needs no more."""

    def __init__(self, reason: str, needs_proof: bool = False, path: str = "stated") -> None:
        super().__init__(reason)
        self.reason = reason
        self.needs_proof = needs_proof
        self.path = path
