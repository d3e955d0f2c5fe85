"""Which guilds, DMs and shared duties belong to this process, when the bot runs as several.

Discord sends a guild's events to shard `(guild_id >> 22) % shard_count` and every DM to
shard 0. Processes run disjoint `shard_ids` ranges of one `shard_count` over one database;
each schedules the daily posts of its own guilds, and the process that runs shard 0 has the
duties there must be one of: DM rounds (resumed at start-up, their timers watched) and the
slash-command sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import BotSettings

DM_SHARD = 0  # Discord delivers every direct message on shard 0


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to (shard 0 when the bot is not sharded)."""
    if shard_count <= 1:
        return 0
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class Shards:
    """This process's shards: `ids` of `count` (count 0: not sharded, one process does all;
    no ids: this process runs every shard, as discord.py's AutoShardedBot does)."""

    count: int = 0
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.count < 0 or any(not 0 <= s < max(self.count, 1) for s in self.ids):
            raise ValueError(f"shard ids {self.ids} are not shards of {self.count}")
        if self.ids and not self.count:
            raise ValueError("shard ids need a shard count")

    @property
    def runs_all(self) -> bool:
        """Whether this one process runs every shard."""
        return not self.ids or len(set(self.ids)) == self.count

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process receives the guild's events (None: a DM)."""
        if self.runs_all:
            return True
        shard = DM_SHARD if guild_id is None else shard_of(guild_id, self.count)
        return shard in self.ids

    @property
    def owns_dms(self) -> bool:
        """Whether DMs reach this process: it then drives DM rounds and syncs commands."""
        return self.owns(None)

    @property
    def share(self) -> float:
        """This process's part of the bot's shared budgets (Discord's global request limit):
        its shards over all shards, since guilds spread evenly over shards."""
        return 1.0 if self.runs_all else len(set(self.ids)) / self.count

    def describe(self) -> str:
        """For logs: 'all shards' or 'shards 0, 2 of 4'."""
        if self.runs_all:
            return "all shards" if self.count else "unsharded"
        plural = "s" if len(self.ids) > 1 else ""
        return f"shard{plural} {', '.join(map(str, self.ids))} of {self.count}"

    @classmethod
    def of(cls, bot: BotSettings) -> Shards:
        """This process's shards as configured ([bot] shard_count, shard_ids)."""
        return cls(bot.shard_count, tuple(bot.shard_ids))
