"""The REST app: a middleware that records, authenticates, injects faults and adds rate-limit
headers around the route handlers of ``routes_*``."""

from __future__ import annotations

import asyncio
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import routes_channels, routes_core, routes_interactions
from .httputil import AFTER_SEND_KEY, BODY_KEY, FAKE_KEY, ApiError, json_response, read_body

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
Handler = Any


@dataclass(slots=True)
class RequestRecord:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: int
    time: float
    route: str | None = None
    status: int = 0
    duration: float = 0.0


def _token_authenticated(path: str) -> bool:
    """Interaction callbacks and webhook-token routes carry no bot token."""
    if path.startswith("/interactions/"):
        return True
    parts = path.split("/")
    return len(parts) >= 4 and parts[1] == "webhooks"


def _major(request: web.Request) -> str:
    info = request.match_info
    return "+".join(
        info[k] for k in ("channel_id", "guild_id", "webhook_id", "webhook_token") if k in info
    )


async def _dispatch(
    fake: FakeDiscord, request: web.Request, handler: Handler, record: RequestRecord
) -> web.StreamResponse:
    method, path = request.method, record.path
    delay, fault = fake.faults.take(method, path)
    if delay:
        await asyncio.sleep(delay)
    if fault is not None:
        return fault
    if request.match_info.http_exception is not None:
        fake.unknown_routes.append(f"{method} {path}")
        return json_response({"message": "404: Not Found", "code": 0}, status=404)
    if (
        not _token_authenticated(path)
        and request.headers.get("Authorization") != f"Bot {fake.state.token}"
    ):
        return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
    template = record.route or ""
    limited = fake.ratelimits.check(
        method, template, _major(request), exempt=path.startswith("/interactions/")
    )
    if limited is not None:
        return limited
    try:
        response = await handler(request)
    except ApiError as exc:
        if exc.status == 400:
            fake.validation_errors.append((method, path, exc.body()))
        response = json_response(exc.body(), status=exc.status)
    except Exception:  # a bug in the fake: make it loud, answer like a Discord 500
        fake.internal_errors.append(f"{method} {path}\n{traceback.format_exc()}")
        response = json_response({"message": "500: Internal Server Error", "code": 0}, status=500)
    if response.status < 400:
        response.headers.update(fake.ratelimits.headers(method, template, _major(request)))
    return response


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every /api/v10 request and answer it Discord-style; other paths pass through."""
    if not request.path.startswith(API_PREFIX + "/"):
        return await handler(request)
    fake: FakeDiscord = request.app[FAKE_KEY]
    path = request.path[len(API_PREFIX) :]
    body = await read_body(request)
    request[BODY_KEY] = body
    request[AFTER_SEND_KEY] = []
    resource = request.match_info.route.resource
    template = resource.canonical[len(API_PREFIX) :] if resource is not None else None
    record = RequestRecord(
        request.method, path, dict(request.query), body.json, len(body.files), time.time(), template
    )
    fake.requests.append(record)
    fake.state.notify()  # waiters can see a request in flight (say, a delayed callback)
    response = await _dispatch(fake, request, handler, record)
    record.status = response.status
    await response.prepare(request)
    await response.write_eof()
    record.duration = time.time() - record.time
    for callback in request[AFTER_SEND_KEY]:
        callback()
    fake.state.notify()
    return response


def build_app(fake: FakeDiscord) -> web.Application:
    """The aiohttp application: REST under /api/v10, the gateway at /gateway, attachments."""
    app = web.Application(middlewares=[api_middleware], client_max_size=64 * 1024 * 1024)
    app[FAKE_KEY] = fake
    routes = web.RouteTableDef()
    routes_core.register(routes)
    routes_channels.register(routes)
    routes_interactions.register(routes)
    for route in routes:
        assert isinstance(route, web.RouteDef)
        app.router.add_route(route.method, API_PREFIX + route.path, route.handler)
    app.router.add_get("/gateway", fake.gateway.handle)
    app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", routes_core.cdn)
    return app
