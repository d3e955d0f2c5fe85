"""HTTP helpers: Discord-style JSON responses and errors, request body parsing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON_HEADERS = {"Content-Type": "application/json"}
FAKE_KEY: web.AppKey[FakeDiscord] = web.AppKey("fake")
AFTER_SEND_KEY: web.RequestKey[list[Callable[[], None]]] = web.RequestKey("after_send")


class ApiError(Exception):
    """An error response in Discord's shape: ``{"message": ..., "code": ...}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


# Frequent errors, named as in Discord's JSON error code table.
def unknown_channel() -> ApiError:
    """404 10003."""
    return ApiError(404, 10003, "Unknown Channel")


def unknown_message() -> ApiError:
    """404 10008."""
    return ApiError(404, 10008, "Unknown Message")


def unknown_webhook() -> ApiError:
    """404 10015."""
    return ApiError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> ApiError:
    """404 10062: the token expired or never existed."""
    return ApiError(404, 10062, "Unknown interaction")


def missing_access() -> ApiError:
    """403 50001."""
    return ApiError(403, 50001, "Missing Access")


def missing_permissions() -> ApiError:
    """403 50013."""
    return ApiError(403, 50013, "Missing Permissions")


def cannot_dm() -> ApiError:
    """403 50007."""
    return ApiError(403, 50007, "Cannot send messages to this user")


def invalid_form(errors: dict[str, Any]) -> ApiError:
    """400 50035 with Discord's nested ``errors`` object."""
    return ApiError(400, 50035, "Invalid Form Body", errors)


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json`` (discord.py checks)."""
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(), status=status, headers=JSON_HEADERS
    )


def no_content() -> web.Response:
    """An empty 204."""
    return web.Response(status=204)


@dataclass(slots=True)
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    data: bytes
    content_type: str | None


@dataclass(slots=True)
class RequestBody:
    """The parsed body: JSON (or ``payload_json``) and uploaded files."""

    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)


async def read_body(request: web.Request) -> RequestBody:
    """Parse a JSON or multipart/form-data body as discord.py sends them."""
    body = RequestBody()
    if not request.can_read_body:
        return body
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            raw = await part.read()
            if name == "payload_json":
                body.json = json.loads(raw)
            elif name.startswith("files["):
                index = int(name[6:-1])
                body.files.append(
                    UploadedFile(
                        index,
                        part.filename or f"file{index}",
                        bytes(raw),
                        part.headers.get("Content-Type"),
                    )
                )
        return body
    raw = await request.read()
    if raw:
        body.json = json.loads(raw)
    return body


BODY_KEY: web.RequestKey[RequestBody] = web.RequestKey("body")


def after_send(request: web.Request, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the response has been written to the socket."""
    request[AFTER_SEND_KEY].append(callback)


def body_of(request: web.Request) -> RequestBody:
    """The body parsed by the middleware."""
    return request[BODY_KEY]


def snowflake_arg(request: web.Request, name: str) -> int:
    """A snowflake path parameter; a malformed one is a 404 like on Discord."""
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ApiError(404, 0, "404: Not Found") from None
