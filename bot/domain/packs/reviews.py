"""Members suggest questions; moderators approve, edit or reject them. No discord here.

A suggestion that fails the checks is kept as a draft its author can fix (a form cannot be
reopened with its text otherwise); only suggestions sent for review count towards the daily
limit, which stops one member from flooding the review channel.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.errors import Gone, NotYours, UserError
from bot.core.models import Question
from bot.domain.content.bankfile import FileChecker
from bot.domain.packs.forms import SuggestionForm, extra_whys, question_data, slug_of
from bot.domain.packs.packfile import check_entry, pack_id
from bot.domain.packs.service import PackService, stored
from bot.store import Store
from bot.store.db import Conflict
from bot.store.pack_reviews import Suggestion

log = logging.getLogger(__name__)
SUGGESTIONS_PER_DAY = 5
LIMIT_WINDOW = timedelta(days=1)
NO_REVIEW_CHANNEL = (
    "This server takes no suggestions yet: a moderator first chooses a review channel with "
    "/content review-channel."
)


class SuggestionService:
    """The suggestion queue of each server."""

    def __init__(self, store: Store, packs: PackService, clock: Clock) -> None:
        self.store = store
        self.packs = packs
        self.clock = clock

    async def review_channel(self, guild_id: int) -> int:
        """The channel suggestions go to; a UserError when the server chose none."""
        channel_id = (await self.store.packs.server(guild_id)).review_channel_id
        if channel_id is None:
            raise UserError(NO_REVIEW_CHANNEL)
        return channel_id

    async def check_limit(self, guild_id: int, author_id: int) -> None:
        """At most SUGGESTIONS_PER_DAY suggestions sent for review in any 24 hours."""
        since = self.clock.now() - LIMIT_WINDOW
        if await self.store.reviews.suggested_since(guild_id, author_id, since) >= (
            SUGGESTIONS_PER_DAY
        ):
            raise UserError(
                f"You have sent {SUGGESTIONS_PER_DAY} suggestions in the last 24 hours, the "
                "most for a day. Thank you! Try again tomorrow."
            )

    def check_form(self, guild_id: int, form: SuggestionForm) -> tuple[Question | None, list[str]]:
        """The question a form makes (its id new to the server), or its problems, in the
        messages `content check` uses."""
        content = self.packs.library.server(guild_id)
        taken = {pack_id(qid) for qid in (*content.questions, *content.removed)}
        data = question_data(form, slug_of(data_title(form), taken))
        check = FileChecker("suggestion")
        question = check_entry(check, data)
        problems = check.lines()
        if (whys := extra_whys(form)) is not None:
            problems.append(f"suggestion: {check.qid}: {whys}")
        return (question if not problems else None), problems

    async def suggest(
        self, guild_id: int, author_id: int, form: SuggestionForm
    ) -> tuple[Suggestion, list[str]]:
        """Record a suggestion: pending review, or a draft with its problems."""
        await self.review_channel(guild_id)
        await self.check_limit(guild_id, author_id)
        _, problems = self.check_form(guild_id, form)
        status = "draft" if problems else "pending"
        suggestion_id = await self.store.reviews.add_suggestion(
            guild_id, author_id, form.to_yaml(), status, self.clock.now()
        )
        log.info("suggestion %s id=%s guild=%s user=%s", status, suggestion_id, guild_id, author_id)
        return await self.get(suggestion_id, guild_id), problems

    async def get(self, suggestion_id: int, guild_id: int | None) -> Suggestion:
        """A suggestion of this server (a forged id from elsewhere is not found)."""
        found = await self.store.reviews.suggestion(suggestion_id)
        if found is None or (guild_id is not None and found.guild_id != guild_id):
            raise Gone("suggestion")
        return found

    async def fix(
        self, suggestion_id: int, guild_id: int, author_id: int, form: SuggestionForm
    ) -> tuple[Suggestion, list[str]]:
        """The author's corrected draft: sent for review once it passes."""
        found = await self.get(suggestion_id, guild_id)
        if found.author_id != author_id:
            raise NotYours("suggestion")
        if found.status != "draft":
            raise UserError(f"This suggestion was {found.status} already.")
        _, problems = self.check_form(guild_id, form)
        if not problems:
            await self.check_limit(guild_id, author_id)
        status = "draft" if problems else "pending"
        await self.store.reviews.revise(suggestion_id, form.to_yaml(), status, self.clock.now())
        return await self.get(suggestion_id, guild_id), problems

    async def edit(
        self, suggestion_id: int, guild_id: int, form: SuggestionForm
    ) -> tuple[Suggestion, list[str]]:
        """A moderator's edit of a pending suggestion; kept only when it passes."""
        found = await self.pending(suggestion_id, guild_id)
        _, problems = self.check_form(guild_id, form)
        if not problems:
            await self.store.reviews.revise(found.id, form.to_yaml(), "pending", self.clock.now())
        return await self.get(suggestion_id, guild_id), problems

    async def pending(self, suggestion_id: int, guild_id: int) -> Suggestion:
        """A suggestion still waiting for review; a clear message once it was decided."""
        found = await self.get(suggestion_id, guild_id)
        if found.status != "pending":
            raise UserError(f"This suggestion was {found.status} already.")
        return found

    async def approve(
        self, suggestion_id: int, guild_id: int, moderator_id: int
    ) -> tuple[Suggestion, Question]:
        """Approve: the question joins the server's pack at once."""
        found = await self.pending(suggestion_id, guild_id)
        question, problems = self.check_form(guild_id, SuggestionForm.from_yaml(found.body))
        if question is None:
            raise UserError("It does not pass the checks any more; Edit it first:\n" + problems[0])
        self.packs.room_for(guild_id, 1)
        new = stored(guild_id, question)
        try:
            approved = await self.store.reviews.approve(
                suggestion_id, new, moderator_id, self.clock.now()
            )
        except Conflict:  # another question took that id a moment ago
            raise UserError("Another question just took this id; approve it again.") from None
        if approved is None:
            raise UserError("This suggestion was decided already.")
        content = await self.packs.refresh(guild_id)
        log.info(
            "suggestion approved id=%s question=%s by=%s",
            suggestion_id,
            new.question_id,
            moderator_id,
        )
        return await self.get(suggestion_id, guild_id), content.questions[new.question_id]

    async def reject(
        self, suggestion_id: int, guild_id: int, moderator_id: int, reason: str
    ) -> Suggestion:
        """Reject with a reason its author is told."""
        await self.pending(suggestion_id, guild_id)
        if not await self.store.reviews.reject(
            suggestion_id, moderator_id, reason.strip(), self.clock.now()
        ):
            raise UserError("This suggestion was decided already.")
        log.info("suggestion rejected id=%s by=%s", suggestion_id, moderator_id)
        return await self.get(suggestion_id, guild_id)

    def question_of(self, suggestion: Suggestion) -> Question | None:
        """What a suggestion would become, when it passes the checks (for its review card)."""
        return self.check_form(suggestion.guild_id, SuggestionForm.from_yaml(suggestion.body))[0]


def data_title(form: SuggestionForm) -> str:
    """The title a form's question would get (the id is made from it)."""
    return str(question_data(form, "x")["title"])
