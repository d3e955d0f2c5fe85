"""Load and validate the question bank in content/.

Every problem is collected (not just the first) and named as `file: id: field: what is wrong`,
so a contributor fixes a whole pull request in one go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.core.config import Settings
from bot.core.models import TOPIC_IDS, Bank, Question, Topic
from bot.domain.answers.evidence import EvidenceIndex
from bot.domain.content.bankfile import FileChecker, is_id, printable, shown, shown_id
from bot.domain.content.questions import BUNDLED, check_question
from bot.domain.content.serverpack import ServerContent, split_server_id
from bot.domain.content.topicsfile import load_topics

DEFAULT_CONTENT = Path(__file__).resolve().parents[3] / "content"


class ContentError(Exception):
    """The bank has problems; `problems` lists each as one readable line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the question bank:\n" + "\n".join(problems)
        )
        self.problems = problems


def _question_file(check: FileChecker, path: Path) -> Question | None:
    if path.parent.name not in TOPIC_IDS:  # not topics.yaml's list: it may be the broken file
        name = shown(path.parent.name)
        check.fail("topic", f"folder {name} is not a topic (one of {', '.join(TOPIC_IDS)})")
    data, notes = check.read(path)
    if isinstance(data, dict):
        check.qid = shown_id(data.get("id"), printable(path.stem))
    elif data is not None:
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
        check.fail("file", f"must hold one mapping (a question), not {kind}")
    check.report(notes)
    if not isinstance(data, dict):
        return None
    return check_question(check, data, BUNDLED, path.parent.name, path.stem)


def _questions(
    root: Path, problems: list[str]
) -> tuple[dict[str, Question], dict[str, str], Counter[str]]:
    """Every question file under root: the questions, the file each came from, files per folder."""
    questions: dict[str, Question] = {}
    sources: dict[str, str] = {}
    found: Counter[str] = Counter()
    for path in sorted(root.glob("*/*.y*ml")):
        found[path.parent.name] += 1
        check = FileChecker(path, root)
        question = _question_file(check, path)
        if question and question.id in sources:
            check.fail("id", f"is also the id in {sources[question.id]}; ids must be unique")
        elif question:
            questions[question.id] = question
            sources[question.id] = check.where
        problems.extend(check.lines())
    return questions, sources, found


def _coverage(
    root: Path, topics: dict[str, Topic], found: Counter[str], problems: list[str]
) -> None:
    """A bank, and each of its topics, needs at least one question file."""
    if not found:
        where = printable(str(root))
        problems.append(f"{where}: -: questions: no question files; add <topic>/<id>.yaml")
        return
    for topic in topics:
        if is_id(topic) and not found[topic]:
            problems.append(f"topics.yaml: {topic}: questions: none; add {topic}/<id>.yaml")


def load_bank(root: Path = DEFAULT_CONTENT) -> Bank:
    """Load every topic and question under root; raise ContentError listing all problems."""
    root = Path(root)
    if not root.is_dir():
        where = printable(str(root))
        raise ContentError([f"{where}: -: file: the content folder does not exist"])
    problems: list[str] = []
    topics = load_topics(root, problems)
    questions, sources, found = _questions(root, problems)
    _coverage(root, topics, found, problems)
    aliases = _aliases(questions, sources, problems)
    if problems:
        raise ContentError(problems)
    return Bank(topics=topics, questions=questions, aliases=aliases)


def _aliases(
    questions: dict[str, Question], sources: dict[str, str], problems: list[str]
) -> dict[str, str]:
    """Old ids of merged or renamed questions; ids are forever, so none may be reused."""
    aliases: dict[str, str] = {}
    for question in questions.values():
        for old in question.aliases:
            where = f"{sources[question.id]}: {question.id}: aliases"
            if old in questions:
                problems.append(f"{where}: {old!r} is a current question's id")
            elif old in aliases:
                problems.append(f"{where}: {old!r} is an alias of {aliases[old]!r} too")
            else:
                aliases[old] = question.id
    return aliases


class Library:
    """Holds the current bank and its evidence index, swapped together (admin reload) without a
    restart: the pair is one attribute, so a reader never sees a bank with another's index.

    Each server sees the bundled bank without the topics it switched off, plus its own pack
    (bot/domain/packs keeps that in step with the database, the truth)."""

    def __init__(self, root: Path, bank: Bank, evidence: EvidenceIndex | None = None) -> None:
        self.root = root
        self._loaded: tuple[Bank, EvidenceIndex | None] = (bank, evidence)
        self._servers: dict[int, ServerContent] = {}
        self._banks: dict[int, Bank] = {}  # each server's view, built on first use
        self._indexes: dict[int, EvidenceIndex] = {}  # each pack's key points, likewise

    @property
    def bank(self) -> Bank:
        """The bundled question bank in use."""
        return self._loaded[0]

    @property
    def evidence(self) -> EvidenceIndex:
        """The bank's key points indexed for the checklist's evidence lines. Built at load and
        on reload; a library made from a bank in hand (tests) builds it on first use."""
        bank, index = self._loaded
        if index is None:
            index = EvidenceIndex.build(bank)
            self._loaded = (bank, index)
        return index

    @classmethod
    def load(cls, root: Path) -> Library:
        """Load the bank at root and index it, raising ContentError if it is bad."""
        bank = load_bank(root)
        return cls(root, bank, EvidenceIndex.build(bank))

    def reload(self) -> Bank:
        """Load the bank again and index it; on error keep the old one and raise ContentError."""
        bank = load_bank(self.root)
        self._loaded = (bank, EvidenceIndex.build(bank))
        self._banks.clear()
        return bank

    def set_server(self, guild_id: int, content: ServerContent) -> None:
        """Replace what a server adds to the bank and takes from it."""
        self._banks.pop(guild_id, None)
        self._indexes.pop(guild_id, None)
        if content.empty:
            self._servers.pop(guild_id, None)
        else:
            self._servers[guild_id] = content

    def server(self, guild_id: int) -> ServerContent:
        """A server's own questions and switches (empty when it has none)."""
        return self._servers.get(guild_id) or ServerContent()

    def servers(self) -> dict[int, ServerContent]:
        """Every server with content of its own."""
        return dict(self._servers)

    def bank_for(self, guild_id: int | None) -> Bank:
        """The bank a server sees: the bundled one minus its switched-off topics, plus its
        pack. Outside a server (DMs, the terminal): the bundled bank."""
        content = self._servers.get(guild_id or 0)
        if content is None:
            return self.bank
        cached = self._banks.get(guild_id or 0)
        if cached is None:
            bundled = self.bank
            questions = {
                qid: q for qid, q in bundled.questions.items() if q.topic not in content.topics_off
            }
            questions.update(content.questions)
            cached = Bank(bundled.topics, questions, dict(bundled.aliases))
            self._banks[guild_id or 0] = cached
        return cached

    def get(self, question_id: str) -> Question | None:
        """Any current question by id: bundled (or an old id of one), or a server's."""
        server = split_server_id(question_id)
        if server is None:
            return self.bank.get(question_id)
        return self.server(server[0]).questions.get(question_id)

    def history(self, question_id: str) -> tuple[Question, bool] | None:
        """A question as past answers show it, and whether its server removed it since."""
        if (found := self.get(question_id)) is not None:
            return found, False
        server = split_server_id(question_id)
        removed = self.server(server[0]).removed.get(question_id) if server else None
        return (removed, True) if removed is not None else None

    def history_bank(self, question_ids: Iterable[str]) -> Bank:
        """The bundled bank plus every server question these ids name, removed ones too: what
        past answers (stats, scorecards, exports) are read against, wherever they are shown."""
        extra = {
            qid: found[0]
            for qid in question_ids
            if split_server_id(qid) is not None and (found := self.history(qid)) is not None
        }
        bank = self.bank
        return Bank(bank.topics, {**bank.questions, **extra}, dict(bank.aliases)) if extra else bank

    def evidence_for(self, question_id: str) -> EvidenceIndex:
        """The evidence index that holds this question: the bank's or its server pack's."""
        server = split_server_id(question_id)
        if server is None:
            return self.evidence
        guild_id = server[0]
        index = self._indexes.get(guild_id)
        if index is None:
            topics = self.bank.topics
            index = EvidenceIndex.build(Bank(topics, dict(self.server(guild_id).questions)))
            self._indexes[guild_id] = index
        return index


def content_root(settings: Settings) -> Path:
    """The content folder the settings name, or the bundled one."""
    return Path(settings.bot.content) if settings.bot.content else DEFAULT_CONTENT
