"""What the Discord layer and the terminal share: store, content, clock, settings, services."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.lifecycle import InFlight
from bot.core.shards import Shards
from bot.domain.answers.grading import MAX_ANSWER
from bot.domain.answers.service import Flow
from bot.domain.content.loader import Library
from bot.domain.daily.service import DailyService
from bot.domain.mock.service import MockService
from bot.domain.packs.reviews import SuggestionService
from bot.domain.packs.service import PackService
from bot.domain.peer.service import PeerService
from bot.domain.progress.service import Progress
from bot.store import Store


@dataclass
class Services:
    """The bot's resources, created once at start-up and passed in (never global)."""

    settings: Settings
    store: Store
    library: Library
    clock: Clock
    flow: Flow
    daily: DailyService
    mock: MockService
    peer: PeerService
    progress: Progress
    in_flight: InFlight
    packs: PackService
    suggestions: SuggestionService

    @classmethod
    def build(cls, settings: Settings, store: Store, library: Library, clock: Clock) -> Services:
        """Wire the services together."""
        progress = Progress(store, library, clock, fuzz=settings.review.fuzz)
        flow = Flow(store, library, clock, max_answer=MAX_ANSWER, progress=progress)
        packs = PackService(store, library, clock)
        return cls(
            settings=settings,
            store=store,
            library=library,
            clock=clock,
            flow=flow,
            daily=DailyService(store, library, clock, settings.daily, Shards.of(settings.bot)),
            mock=MockService(store, flow, clock, settings.mock),
            peer=PeerService(store, flow, clock, settings.peer),
            progress=progress,
            in_flight=InFlight(),
            packs=packs,
            suggestions=SuggestionService(store, packs, clock),
        )
