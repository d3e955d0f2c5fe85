"""Rate-limit headers (and optional enforcement) and fault injection for the fake REST API."""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

from aiohttp import web

from .httputil import json_response

RateLimitMode = Literal["off", "headers", "enforce"]
GLOBAL_LIMIT = 50
# (method, route template suffix) -> (limit, per seconds); the first match wins.
BUCKETS: list[tuple[str, str, int, float]] = [
    ("POST", "/channels/{channel_id}/messages", 5, 5.0),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", 5, 5.0),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", 5, 1.0),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}", 5, 2.0),
    ("*", "/interactions/", 50, 1.0),
]
STATUS_TEXT = {
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
    504: "504: Gateway Timeout",
}


def rate_limited(
    retry_after: float,
    *,
    global_: bool,
    bucket: str | None = None,
    limit: int = 1,
    scope: str | None = None,
) -> web.Response:
    """A 429 carrying every header discord.py reads (``Via`` included, or it assumes a ban)."""
    scope = scope or ("global" if global_ else "user")
    resp = json_response(
        {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": global_,
            "code": 0,
        },
        status=429,
    )
    resp.headers.update(
        {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "Via": "1.1 google",
            "X-RateLimit-Scope": scope,
        }
    )
    if global_:
        resp.headers["X-RateLimit-Global"] = "true"
    else:
        resp.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket or "fault",
            }
        )
    return resp


@dataclass
class _Window:
    start: float
    count: int = 0


@dataclass
class RateLimiter:
    """Per-route buckets like Discord's. ``off``: generous constant headers; ``headers``: honest
    counts (discord.py then paces itself); ``enforce``: honest counts plus 429s, global 50/s too."""

    mode: RateLimitMode = "off"
    windows: dict[str, _Window] = field(default_factory=dict)
    recent: deque[float] = field(default_factory=deque)
    max_per_second: int = 0
    over_global: int = 0

    def bucket(self, method: str, template: str) -> tuple[str, int, float]:
        """Bucket hash, limit and window for a route template."""
        limit, per = 50, 1.0
        for m, suffix, bucket_limit, bucket_per in BUCKETS:
            if (m in ("*", method)) and (
                template.endswith(suffix) or (suffix.endswith("/") and suffix in template)
            ):
                limit, per = bucket_limit, bucket_per
                break
        digest = hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]
        return digest, limit, per

    def count_global(self, exempt: bool) -> bool:
        """Track requests/s; True if this one exceeds 50/s (callbacks are exempt)."""
        now = time.monotonic()
        if exempt:
            return False
        self.recent.append(now)
        while self.recent and now - self.recent[0] > 1.0:
            self.recent.popleft()
        self.max_per_second = max(self.max_per_second, len(self.recent))
        if len(self.recent) > GLOBAL_LIMIT:
            self.over_global += 1
            return True
        return False

    def check(self, method: str, template: str, major: str, exempt: bool) -> web.Response | None:
        """A 429 response if ``enforce`` mode says this request is over a limit."""
        over_global = self.count_global(exempt)
        if self.mode != "enforce":
            return None
        if over_global:
            return rate_limited(1.0 - (time.monotonic() - self.recent[0]), global_=True)
        digest, limit, per = self.bucket(method, template)
        win = self._window(f"{digest}:{major}", per)
        if win.count >= limit:
            return rate_limited(
                round(win.start + per - time.monotonic(), 3),
                global_=False,
                bucket=digest,
                limit=limit,
            )
        return None

    def headers(self, method: str, template: str, major: str) -> dict[str, str]:
        """X-RateLimit-* headers for a successful request (and count it)."""
        digest, limit, per = self.bucket(method, template)
        if self.mode == "off":
            remaining, reset_after = limit - 1, per
        else:
            win = self._window(f"{digest}:{major}", per)
            win.count += 1
            remaining = max(0, limit - win.count)
            reset_after = max(0.0, win.start + per - time.monotonic())
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": digest,
        }

    def _window(self, key: str, per: float) -> _Window:
        now = time.monotonic()
        win = self.windows.get(key)
        if win is None or now - win.start >= per:
            win = self.windows[key] = _Window(now)
        return win


@dataclass
class FaultRule:
    """Fail (or delay) requests whose ``"METHOD /path"`` matches ``pattern`` (fnmatch glob)."""

    pattern: str
    status: int | None = 429
    retry_after: float = 0.5
    global_: bool = False
    count: int | None = 1  # how many matching requests it hits; None: until cleared
    code: int = 0
    message: str | None = None
    delay: float = 0.0
    exempt_callbacks: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to the request."""
        if self.count is not None and self.count <= 0:
            return False
        if self.exempt_callbacks and path.startswith("/interactions/"):
            return False
        return fnmatchcase(f"{method} {path}", self.pattern)

    def response(self) -> web.Response:
        """The injected error response."""
        assert self.status is not None
        if self.status == 429:
            return rate_limited(
                self.retry_after,
                global_=self.global_,
                bucket="fault",
                scope="global" if self.global_ else "user",
            )
        text = self.message or STATUS_TEXT.get(self.status, f"{self.status}: Error")
        return json_response({"message": text, "code": self.code}, status=self.status)


@dataclass
class FaultInjector:
    """Rules plus a log of what was injected."""

    rules: list[FaultRule] = field(default_factory=list)
    injected: list[tuple[float, str, str, int]] = field(default_factory=list)
    counts: Counter[int] = field(default_factory=Counter)
    delays: int = 0

    def add(self, rule: FaultRule) -> FaultRule:
        """Install a rule."""
        self.rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> tuple[float, web.Response | None]:
        """Consume matching rules: total delay to apply, and an error response if any."""
        delay = 0.0
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            if rule.count is not None:
                rule.count -= 1
            if rule.status is None:
                delay += rule.delay
                self.delays += 1
                continue
            self.injected.append((time.time(), method, path, rule.status))
            self.counts[rule.status] += 1
            return delay, rule.response()
        return delay, None

    def clear(self) -> None:
        """Remove every rule (the log stays)."""
        self.rules.clear()
