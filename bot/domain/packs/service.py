"""A server's own pack: loaded from the database (the truth) into the library, uploaded,
exported and removed, and its switches for the bundled topics. No discord here."""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.errors import Gone, NotYours, UserError
from bot.core.models import TOPIC_IDS, Question
from bot.domain.content.loader import Library
from bot.domain.content.serverpack import ServerContent, server_question_id
from bot.domain.packs.packfile import PackCheck, check_pack, pack_yaml, question_yaml, read_stored
from bot.store import Store
from bot.store.packs import NewQuestion, PackQuestionRow

log = logging.getLogger(__name__)
UPLOAD_EXPIRY = timedelta(hours=1)  # a preview not confirmed by then must be uploaded again
MAX_SERVER_QUESTIONS = 500  # current questions per server, suggestions and uploads together


@dataclass(frozen=True, slots=True)
class UploadPreview:
    """What an upload would do (upload_id 0: it has problems and nothing was kept)."""

    upload_id: int
    filename: str
    check: PackCheck
    added: int = 0
    replaced: int = 0
    removed: int = 0


def stored(guild_id: int, question: Question) -> NewQuestion:
    """A checked pack question under its namespaced id, as the store keeps it."""
    named = dataclasses.replace(question, id=server_question_id(guild_id, question.id))
    return NewQuestion(named.id, named.topic, named.title, question_yaml(named))


class PackService:
    """Keeps each server's pack in the library in step with the database."""

    def __init__(self, store: Store, library: Library, clock: Clock) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.versions: dict[int, int] = {}  # each server's pack version, as last read

    async def sync(self) -> int:
        """Read again the packs another process changed (several processes share one
        database: a pack approved on one shard must reach the process that drives DM
        rounds); how many servers were read."""
        changed = {
            guild_id: version
            for guild_id, version in (await self.store.packs.versions()).items()
            if self.versions.get(guild_id) != version
        }
        for guild_id, version in changed.items():
            await self.refresh(guild_id, version=version)
        return len(changed)

    async def load_all(self) -> int:
        """At start-up: every server's pack and switches into the library; how many servers."""
        by_guild: defaultdict[int, list[PackQuestionRow]] = defaultdict(list)
        for row in await self.store.packs.questions():
            by_guild[row.guild_id].append(row)
        guilds = set(by_guild) | {s.guild_id for s in await self.store.packs.servers()}
        versions = await self.store.packs.versions()
        for guild_id in sorted(guilds):
            await self.refresh(guild_id, by_guild.get(guild_id, []), versions.get(guild_id, 0))
        log.info("server packs loaded servers=%d", len(guilds))
        return len(guilds)

    async def refresh(
        self, guild_id: int, rows: list[PackQuestionRow] | None = None, version: int | None = None
    ) -> ServerContent:
        """Read a server's pack and switches again, through the same checks as an upload."""
        # The version first: a change made while the rows are read moves it again, and the
        # next sync reads the pack once more.
        if version is None:
            version = await self.store.packs.version(guild_id)
        self.versions[guild_id] = version
        if rows is None:
            rows = await self.store.packs.questions(guild_id)
        server = await self.store.packs.server(guild_id)
        current: dict[str, Question] = {}
        removed: dict[str, Question] = {}
        for row in rows:
            question, problems = read_stored(row.body, row.question_id)
            if question is None:
                log.warning("stored question skipped %s: %s", row.question_id, "; ".join(problems))
                continue
            (removed if row.removed_at else current)[row.question_id] = question
        content = ServerContent(current, removed, frozenset(server.topics_off))
        self.library.set_server(guild_id, content)
        return content

    # -- switches ------------------------------------------------------------------------------
    async def switch_topics(
        self, guild_id: int, off: Iterable[str], on: Iterable[str]
    ) -> frozenset[str]:
        """Switch bundled topics off (and back on) for a server; the topics now off."""
        now_off = (self.library.server(guild_id).topics_off | set(off)) - set(on)
        ordered = [t for t in TOPIC_IDS if t in now_off]
        await self.store.packs.set_topics_off(guild_id, ordered, self.clock.now())
        log.info("topics switched guild=%s off=%s", guild_id, ",".join(ordered) or "-")
        return (await self.refresh(guild_id)).topics_off

    async def set_review_channel(self, guild_id: int, channel_id: int) -> None:
        """Where suggestions of this server are reviewed."""
        await self.store.packs.set_review_channel(guild_id, channel_id, self.clock.now())

    # -- upload, export, remove ------------------------------------------------------------
    async def preview_upload(
        self, guild_id: int, user_id: int, filename: str, data: bytes
    ) -> UploadPreview:
        """Check a pack file; when it passes, keep it for the confirmation and say what it
        would change. Nothing reaches the pack before the confirmation."""
        result = check_pack(data, filename)
        if result.problems or not result.questions:
            return UploadPreview(0, filename, result)
        content = self.library.server(guild_id)
        ids = {server_question_id(guild_id, q.id) for q in result.questions}
        known = set(content.questions) | set(content.removed)
        upload_id = await self.store.reviews.add_upload(
            guild_id, user_id, filename, data.decode("utf-8"), self.clock.now()
        )
        return UploadPreview(
            upload_id,
            filename,
            result,
            added=len(ids - known),
            replaced=len(ids & known),
            removed=len(set(content.questions) - ids),
        )

    async def confirm_upload(self, upload_id: int, user_id: int, guild_id: int) -> UploadPreview:
        """Store a previewed upload: the file becomes the server's pack. Checked again, since
        the bank's rules may have changed between the preview and the click."""
        upload = await self.store.reviews.upload(upload_id)
        if upload is None or upload.guild_id != guild_id:
            raise Gone("upload")
        if upload.user_id != user_id:
            raise NotYours("upload")
        if upload.status != "pending":
            raise UserError(f"This upload was {upload.status} already.")
        now = self.clock.now()
        if now - upload.created_at > UPLOAD_EXPIRY:
            await self.store.reviews.finish_upload(upload_id, "cancelled", now)
            raise UserError(
                "This preview expired. Upload the file again with /content pack upload."
            )
        result = check_pack(upload.body.encode("utf-8"), upload.filename)
        if result.problems:
            raise UserError("The file no longer passes the checks. Upload it again to see why.")
        if not await self.store.reviews.finish_upload(upload_id, "stored", now):
            raise UserError("This upload was handled already.")
        pack = [stored(guild_id, q) for q in result.questions]
        removed = await self.store.packs.replace_pack(guild_id, pack, user_id, now)
        await self.refresh(guild_id)
        log.info("pack stored guild=%s upload=%s questions=%d", guild_id, upload_id, len(pack))
        return UploadPreview(upload_id, upload.filename, result, len(pack), 0, removed)

    async def cancel_upload(self, upload_id: int, user_id: int, guild_id: int) -> None:
        """Drop a previewed upload."""
        upload = await self.store.reviews.upload(upload_id)
        if upload is None or upload.guild_id != guild_id:
            raise Gone("upload")
        if upload.user_id != user_id:
            raise NotYours("upload")
        if not await self.store.reviews.finish_upload(upload_id, "cancelled", self.clock.now()):
            raise UserError(f"This upload was {upload.status} already.")

    def export(self, guild_id: int) -> str:
        """The server's pack as a file that uploads back as it is."""
        questions = sorted(self.library.server(guild_id).questions.values(), key=lambda q: q.id)
        if not questions:
            raise UserError("This server has no questions of its own yet.")
        return pack_yaml(questions)

    async def remove_pack(self, guild_id: int) -> int:
        """Remove every question of the server's pack (answers to them stay readable)."""
        removed = await self.store.packs.replace_pack(guild_id, [], 0, self.clock.now())
        await self.refresh(guild_id)
        log.info("pack removed guild=%s questions=%d", guild_id, removed)
        return removed

    def room_for(self, guild_id: int, more: int) -> None:
        """Refuse to grow a server's pack past MAX_SERVER_QUESTIONS."""
        if len(self.library.server(guild_id).questions) + more > MAX_SERVER_QUESTIONS:
            raise UserError(
                f"This server's pack holds {MAX_SERVER_QUESTIONS} questions, the most it can."
            )
