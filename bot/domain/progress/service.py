"""Learning that compounds: FSRS reviews, what to review next, stats, streaks, leaderboards,
and a user's own data (export, forget). Pure domain over the store; no discord."""

from __future__ import annotations

import csv
import io
import json
import logging
import random
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import zones
from bot.core.clock import Clock
from bot.core.models import Attempt, Question, Rating, UserSettings
from bot.domain.content.loader import Library
from bot.domain.content.picking import pick_or_explain
from bot.domain.progress import review
from bot.domain.progress.leaderboard import Period, ranking, scored_points, window_start
from bot.domain.progress.stats import (
    MAX_POINTS,
    Stats,
    answer_trend,
    daily_trend,
    streak_instants,
    topic_stats,
)
from bot.domain.progress.streaks import streak
from bot.store import Store
from bot.store.cards import CardRow

log = logging.getLogger(__name__)
PEER_SOURCE = "peer"  # attempts a peer interviewer graded (bot.domain.peer), shown apart


@dataclass(frozen=True, slots=True)
class Next:
    """The question to review next and why."""

    question: Question
    due: int  # how many are due, this one included
    reason: str  # "due" | "new" | "soonest"


class Progress:
    """Spaced repetition and progress over each user's history."""

    def __init__(self, store: Store, library: Library, clock: Clock, fuzz: bool = True) -> None:
        self.store = store
        self.library = library
        self.clock = clock
        self.fuzz = fuzz

    async def record(
        self, user_id: int, question_id: str, rating: Rating, attempt_id: int | None
    ) -> None:
        """Review the user's card for a question (a graded main answer, or a reveal as Again)."""
        card = await self.store.cards.get(user_id, question_id)
        done = review.review(card.card if card else None, rating, self.clock.now(), self.fuzz)
        await self.store.cards.put(
            user_id, question_id, done.card_json, card.card if card else None, attempt_id, done.due
        )

    async def rerated(self, attempt: Attempt) -> None:
        """The user changed a rating: redo the card's last review if it came from that answer."""
        card = await self.store.cards.get(attempt.user_id, attempt.question_id)
        if card is None or card.last_attempt_id != attempt.id or attempt.rating is None:
            return
        done = review.review(card.previous, attempt.rating, self.clock.now(), self.fuzz)
        await self.store.cards.put(
            attempt.user_id,
            attempt.question_id,
            done.card_json,
            card.previous,
            attempt.id,
            done.due,
        )

    async def next_for(
        self,
        user_id: int,
        topics: list[str] | None = None,
        rng: random.Random | None = None,
        guild_id: int | None = None,
    ) -> Next:
        """The most overdue question; with none due, a new one from the weakest topic. In a
        server, from what that server sees (its pack, without the topics it switched off)."""
        bank = self.library.bank_for(guild_id)
        now = self.clock.now()
        wanted = set(topics or bank.topics)
        due = [
            q
            for c in await self.store.cards.due(user_id, now)
            if (q := bank.get(c.question_id)) is not None and q.topic in wanted
        ]
        if due:
            return Next(due[0], len(due), "due")
        cards = await self.store.cards.for_user(user_id)
        seen = {q.id for c in cards if (q := bank.get(c.question_id)) is not None}
        mastery = self._mastery(cards, now)
        for topic in sorted(wanted, key=lambda t: (mastery.get(t, 0.0), t)):
            fresh = [q for q in bank.in_topics([topic]) if q.id not in seen]
            if fresh:
                return Next((rng or random).choice(fresh), 0, "new")
        soonest = next(
            (q for c in cards if (q := bank.get(c.question_id)) is not None and q.topic in wanted),
            None,
        )
        if soonest is None:
            return Next(pick_or_explain(bank, sorted(wanted), rng), 0, "new")
        return Next(soonest, 0, "soonest")

    def _mastery(self, cards: list[CardRow], now: datetime) -> dict[str, float]:
        """Mean retrievability per topic over the user's cards."""
        sums: defaultdict[str, list[float]] = defaultdict(list)
        for card in cards:
            found = self.library.history(card.question_id)
            if found:
                question = found[0]
                sums[question.topic].append(review.retrievability(card.card, now))
        return {topic: sum(values) / len(values) for topic, values in sums.items()}

    async def settings(self, user_id: int) -> UserSettings:
        """The user's own settings."""
        return await self.store.users.settings(user_id)

    async def change_setting(self, user_id: int, name: str, value: object) -> None:
        """Change one of timezone, leaderboard, share_stats for the user."""
        await self.store.users.set_setting(user_id, name, value)

    async def down_days(self, tz_name: str | None) -> set[date]:
        """Local days on which the bot was not running at all (between its first start and now)."""
        intervals = await self.store.uptime.intervals()
        if not intervals:
            return set()
        zone = ZoneInfo(tz_name or "UTC")
        up: set[date] = set()
        for start, seen in intervals:
            day = start.astimezone(zone).date()
            while day <= seen.astimezone(zone).date():
                up.add(day)
                day += timedelta(days=1)
        first, today = min(up), self.clock.now().astimezone(zone).date()
        return {first + timedelta(days=i) for i in range((today - first).days)} - up

    async def stats(self, user_id: int) -> Stats:
        """Attempts, coverage and mastery per topic, streak, due count and the coverage trend."""
        now = self.clock.now()
        cards = await self.store.cards.for_user(user_id)
        tz_name = (await self.store.users.settings(user_id)).timezone
        by_question = await self.store.cards.question_scores(user_id)
        answers = sum(group.answers for group in by_question)
        if answers <= MAX_POINTS:  # few enough to draw each, and to read each one's time
            scores = await self.store.cards.scores(user_id)
            points = [(graded, score) for _, score, graded in scores]
            trend, instants = answer_trend(points), [graded for graded, _ in points]
        else:
            days = await self.store.cards.day_scores(user_id)
            trend = daily_trend(days)
            instants, unknown = streak_instants(days, zones.zone(tz_name))
            for day in unknown:
                instants += await self.store.cards.graded_times(user_id, day)
        peer_count, peer_sum = await self.store.attempts.graded_from(user_id, PEER_SOURCE)
        return Stats(
            attempts=answers,
            coverage=sum(g.weighted for g in by_question) / answers if answers else None,
            topics=topic_stats(
                by_question,
                self.library.history_bank(g.question_id for g in by_question),
                self._mastery(cards, now),
            ),
            streak=streak(instants, tz_name, now, await self.down_days(tz_name)),
            due=sum(1 for c in cards if c.due <= now),
            trend=trend,
            core_covered=sum(g.core_covered for g in by_question),
            core_total=sum(g.core_total for g in by_question),
            peer_attempts=peer_count,
            peer_coverage=peer_sum / peer_count if peer_count else None,
            removed=sum(
                g.answers
                for g in by_question
                if (found := self.library.history(g.question_id)) is not None and found[1]
            ),
        )

    async def leaderboard(self, guild_id: int, period: Period) -> list[tuple[int, int]]:
        """(user, points) best first, opted-in users only, within the period."""
        since = window_start(period, self.clock.now())
        rows = await self.store.cards.guild_scores(guild_id, since)
        return ranking(scored_points(rows, since))

    async def export(self, user_id: int) -> tuple[bytes, bytes]:
        """The user's whole history as CSV (attempts) and JSON (everything)."""
        attempts = await self.store.attempts.for_user(user_id)
        rows = [_attempt_row(a, self._question_label(a.question_id)) for a in attempts]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]) if rows else list(EXPORT_FIELDS))
        writer.writeheader()
        writer.writerows(rows)
        mine = await self.store.users.settings(user_id)
        tz_name, board, share = mine.timezone, mine.leaderboard, mine.share_stats
        cards = await self.store.cards.for_user(user_id)
        rounds = await self.store.rounds.finished_for(user_id, limit=1000)
        everything = {
            "user_id": user_id,
            "exported_at": self.clock.now().isoformat(),
            "settings": {"timezone": tz_name, "leaderboard": board, "share_stats": share},
            "attempts": rows,
            "cards": [
                {"question_id": c.question_id, "due": c.due.isoformat(), "card": json.loads(c.card)}
                for c in cards
            ],
            "rounds": [json.loads(r.to_json()) for r in rounds],
            "peer_feedback": [
                {**asdict(f), "created_at": f.created_at.isoformat()}
                for f in await self.store.peer.feedback_for(user_id, limit=1000)
            ],
        }
        return text.getvalue().encode(), json.dumps(everything, indent=2).encode()

    def _question_label(self, question_id: str) -> tuple[str, str]:
        """(title, status) of an answered question for the export: a server question removed
        since still shows its text, marked "removed"; one gone from the bank, "retired"."""
        found = self.library.history(question_id)
        if found is None:
            return "", "retired"
        question, removed = found
        return question.title, "removed" if removed else "current"

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything about the user."""
        removed = await self.store.users.forget(user_id)
        removed["suggestions"] = await self.store.packs.forget_user(user_id)
        log.info("forgot user=%s removed=%s", user_id, removed)
        return removed


EXPORT_FIELDS = (
    "id",
    "question_id",
    "probe",
    "source",
    "guild_id",
    "answer",
    "covered",
    "core",
    "total",
    "rating",
    "revealed",
    "created_at",
    "graded_at",
    "question_title",
    "question_status",
)


def _attempt_row(attempt: Attempt, label: tuple[str, str]) -> dict[str, object]:
    data = asdict(attempt)
    data["question_title"], data["question_status"] = label
    row = {key: data[key] for key in EXPORT_FIELDS}
    row["covered"] = " ".join(map(str, attempt.covered)) if attempt.covered is not None else ""
    row["core"] = " ".join(map(str, attempt.core)) if attempt.core is not None else ""
    row["rating"] = attempt.rating.value if attempt.rating else ""
    row["created_at"] = attempt.created_at.isoformat()
    row["graded_at"] = attempt.graded_at.isoformat() if attempt.graded_at else ""
    return row
