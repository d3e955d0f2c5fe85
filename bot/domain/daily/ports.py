"""What the daily service needs from outside: the Discord side (Poster) and the jobs' copy.

This module never imports discord.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.models import DailyPost, Question, Schedule


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a daily question landed."""

    message_id: int
    thread_id: int | None


class PostError(Exception):
    """A post failed; permanent errors (deleted channel, lost permission) pause the schedule."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Poster(Protocol):
    """What the daily service needs from Discord."""

    async def post(self, schedule: Schedule, post: DailyPost, question: Question) -> Posted:
        """Send the question (and open its thread); raise PostError on failure."""
        ...

    async def find_existing(self, post: DailyPost) -> Posted | None:
        """Look for a message already sent for this post (after a crash mid-post)."""
        ...

    async def reveal(self, post: DailyPost, question: Question) -> None:
        """Post the key points in the question's thread (or under it)."""
        ...

    async def notify_paused(self, schedule: Schedule, reason: str) -> None:
        """Tell the admin who set the schedule that it was paused and why."""
        ...


class ScheduleCopy(Protocol):
    """Where the schedules are copied to run on time (the APScheduler jobs)."""

    def put(self, schedule: Schedule) -> None:
        """Add or replace a schedule's job (removing it when paused)."""
        ...

    def remove(self, schedule_id: int) -> None:
        """Drop a schedule's job."""
        ...


class NoCopy:
    """Until the jobs start (and in the terminal), nothing runs on time."""

    def put(self, schedule: Schedule) -> None:
        """Nothing to copy to."""

    def remove(self, schedule_id: int) -> None:
        """Nothing to drop."""
