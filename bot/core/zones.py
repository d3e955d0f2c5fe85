"""IANA time zones: validation, lookup, and suggestions for typos (pure, no discord)."""

from __future__ import annotations

import difflib
from datetime import tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.errors import UserError

SUGGESTIONS = 3
_CUTOFF = 0.6  # difflib's default; "Europe/Berln" → "Europe/Berlin" scores 0.96


@cache
def _zones() -> frozenset[str]:
    """Every IANA zone name; scanning tzdata is slow, so once per process."""
    return frozenset(available_timezones())


@cache
def _by_lower() -> dict[str, str]:
    """Lower-case zone name → its canonical spelling."""
    return {name.lower(): name for name in _zones()}


def valid_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA zone name, spelt exactly."""
    return name in _zones()


def zone(name: str | None) -> tzinfo:
    """The zone for a stored name; ``None`` means UTC."""
    if name is None:
        return ZoneInfo("UTC")
    if not valid_timezone(name):
        raise ValueError(f"unknown time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # listed but unloadable: a broken tzdata install
        raise ValueError(f"unknown time zone: {name!r}") from exc


def suggest_timezone(name: str, limit: int = SUGGESTIONS) -> list[str]:
    """Zone names close to a misspelt one, best first, case-insensitive; [] when nothing fits."""
    wanted = name.strip().replace(" ", "_").lower()
    if not wanted:
        return []
    lower = _by_lower()
    if wanted in lower:
        return [lower[wanted]]
    cities = {key.rsplit("/", 1)[-1]: key for key in lower if "/" in key}
    # A bare city ("tokyo", "new york") is the commonest way people name their zone.
    by_city = difflib.get_close_matches(wanted, list(cities), n=limit, cutoff=_CUTOFF)
    by_full = difflib.get_close_matches(wanted, list(lower), n=limit, cutoff=_CUTOFF)
    ranked = sorted(
        {cities[c] for c in by_city} | set(by_full),
        key=lambda key: (-_score(wanted, key), key),  # name breaks ties: stable output
    )
    return [lower[key] for key in ranked[:limit]]


def _score(wanted: str, key: str) -> float:
    """How well ``wanted`` matches a zone: by full name or by city, whichever is closer."""
    full = difflib.SequenceMatcher(None, wanted, key).ratio()
    city = difflib.SequenceMatcher(None, wanted, key.rsplit("/", 1)[-1]).ratio()
    return max(full, city)


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, sorted."""
    return tuple(sorted(_zones()))


def matching_zones(text: str, limit: int = 25) -> list[str]:
    """Zones containing what was typed, for autocomplete (Discord shows at most 25)."""
    needle = text.strip().lower().replace(" ", "_")
    return [name for name in zone_names() if needle in name.lower()][:limit]


def parse_zone(text: str) -> ZoneInfo:
    """A time zone from its IANA name (any case), or a UserError with suggestions."""
    suggestions = suggest_timezone(text)
    exact = _by_lower().get(text.strip().replace(" ", "_").lower())
    if exact is not None:
        return ZoneInfo(exact)
    hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
    raise UserError(
        f"{text!r} is not a time zone I know. Use an IANA name such as "
        f"Europe/Berlin or America/New_York.{hint}"
    )
