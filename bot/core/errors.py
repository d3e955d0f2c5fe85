"""Errors whose message is written for the user (shown ephemerally, never as a traceback)."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix or should know; str(error) is the message shown."""


class NotYours(UserError):
    """A user clicked something that belongs to another user."""

    def __init__(self, what: str = "answer") -> None:
        super().__init__(f"This {what} belongs to someone else. Use /followup to get your own.")


class Gone(UserError):
    """A button refers to something that no longer exists (a removed question, an old attempt)."""

    def __init__(self, what: str = "question") -> None:
        super().__init__(
            f"That {what} is no longer available (the question bank changed or it expired). "
            "Try /followup for a fresh one."
        )


class StoreUnavailable(UserError):
    """The database cannot be reached for a moment (a PostgreSQL restart, a network blip).
    Nothing was saved by the action that met it, so the user can simply do it again."""

    def __init__(self) -> None:
        super().__init__(
            "The database is not reachable right now, so nothing was saved. Try again in a moment."
        )
