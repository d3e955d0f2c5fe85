"""REST routes on channels: messages, threads, DM channels, typing, reactions."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .httputil import (
    ApiError,
    after_send,
    body_of,
    cannot_dm,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    snowflake_arg,
    unknown_channel,
    unknown_message,
)
from .messages import FakeMessage
from .models import DM, GUILD_TEXT, PRIVATE_THREAD, PUBLIC_THREAD, FakeChannel
from .routes_core import fake_of
from .state import GUILDS_INTENT, FakeState
from .validate import validate_message

NONCE_WINDOW = 300.0  # seconds a nonce stays unique ("the past few minutes")


def channel_for(state: FakeState, channel_id: int, *, write: bool = False) -> FakeChannel:
    """The channel, or the error Discord gives: 10003 unknown, 50001 no access, 50013, 50007."""
    ch = state.channels.get(channel_id)
    if ch is None or ch.deleted:
        raise unknown_channel()
    if ch.guild_id is not None:
        guild = state.guilds[ch.guild_id]
        if not guild.bot_member:
            raise missing_access()
        parent = state.channels.get(ch.parent_id or 0)
        if write and (ch.forbidden or (parent is not None and parent.forbidden)):
            raise missing_permissions()
        if write and ch.is_thread and ch.archived and ch.locked:
            raise ApiError(400, 50083, "Thread is archived")
    elif write and ch.recipient is not None and ch.recipient.id in state.closed_dms:
        raise cannot_dm()
    return ch


def message_for(state: FakeState, channel: FakeChannel, message_id: int) -> FakeMessage:
    """A non-ephemeral, non-deleted message of the channel, or 404 10008."""
    msg = state.messages.get(message_id)
    if msg is None or msg.deleted or msg.channel_id != channel.id or msg.visible_to is not None:
        raise unknown_message()
    return msg


async def get_channel(request: web.Request) -> web.Response:
    """GET /channels/{channel_id}."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"))
    return json_response(ch.payload())


async def history(request: web.Request) -> web.Response:
    """GET /channels/{channel_id}/messages (newest first; limit/before/after)."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"))
    msgs = state.visible_messages(ch.id)
    if "before" in request.query:
        msgs = [m for m in msgs if m.id < int(request.query["before"])]
    if "after" in request.query:
        msgs = [m for m in msgs if m.id > int(request.query["after"])]
    limit = min(100, int(request.query.get("limit", 50)))
    newest = sorted(msgs, key=lambda m: m.id, reverse=True)
    if "after" in request.query:
        newest = newest[-limit:]
    return json_response([m.payload() for m in newest[:limit]])


async def send_message(request: web.Request) -> web.Response:
    """POST /channels/{channel_id}/messages (JSON, or multipart with payload_json + files)."""
    fake = fake_of(request)
    state = fake.state
    ch = channel_for(state, snowflake_arg(request, "channel_id"), write=True)
    body = body_of(request)
    payload = body.json or {}
    validate_message(payload, creating=True, files=len(body.files))
    if payload.get("flags", 0) & (1 << 6):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                "flags": {
                    "_errors": [
                        {
                            "code": "MESSAGE_FLAGS_INVALID",
                            "message": "Ephemeral needs an interaction",
                        }
                    ]
                }
            },
        )
    nonce = payload.get("nonce")
    key = (state.bot.id, str(nonce))
    if nonce is not None and payload.get("enforce_nonce"):
        # As on Discord: a nonce is checked for uniqueness over the past few minutes; a second
        # message with the same author and nonce returns the first instead of creating one.
        when, first = state.nonces.get(key, (0.0, None))
        if first is not None and time.monotonic() - when < NONCE_WINDOW and not first.deleted:
            state.nonce_replays += 1
            state.notify()
            return json_response(first.payload())
    msg = state.create_message(ch, state.bot, payload, body.files)
    if nonce is not None and payload.get("enforce_nonce"):
        state.nonces[key] = (time.monotonic(), msg)
    _settle_after_send(request, msg)
    return json_response(msg.payload())


def _settle_after_send(request: web.Request, msg: FakeMessage) -> None:
    fake = fake_of(request)

    def mark() -> None:
        msg.settle_at = time.monotonic() + fake.settle

    after_send(request, mark)


async def one_message(request: web.Request) -> web.Response:
    """GET/PATCH/DELETE /channels/{channel_id}/messages/{message_id}."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"), write=request.method != "GET")
    msg = message_for(state, ch, snowflake_arg(request, "message_id"))
    if request.method == "GET":
        return json_response(msg.payload())
    if request.method == "DELETE":
        if msg.author.id != state.bot.id and ch.type == DM:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        state.delete_message(msg)
        return no_content()
    if msg.author.id != state.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    body = body_of(request)
    validate_message(body.json or {}, creating=False, files=len(body.files))
    state.edit_message(msg, body.json or {}, body.files)
    _settle_after_send(request, msg)
    return json_response(msg.payload())


def _new_thread(
    state: FakeState, parent: FakeChannel, body: dict[str, Any], thread_id: int | None, kind: int
) -> FakeChannel:
    if parent.type != GUILD_TEXT:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    guild = state.guilds[parent.guild_id or 0]
    thread = FakeChannel(
        thread_id or state.ids.next(),
        kind,
        str(body.get("name", "thread"))[:100],
        guild.id,
        parent_id=parent.id,
        owner_id=state.bot.id,
    )
    guild.channels[thread.id] = thread
    state.channels[thread.id] = thread
    data = {**thread.payload(), "newly_created": True}
    state.emit("THREAD_CREATE", data, guild.id, GUILDS_INTENT, False)
    state.notify()
    return thread


async def thread_from_message(request: web.Request) -> web.Response:
    """POST /channels/{channel_id}/messages/{message_id}/threads (thread id = message id)."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"), write=True)
    msg = message_for(state, ch, snowflake_arg(request, "message_id"))
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = _new_thread(state, ch, body_of(request).json or {}, msg.id, PUBLIC_THREAD)
    msg.thread_id = thread.id
    return json_response(thread.payload(), 201)


async def thread_without_message(request: web.Request) -> web.Response:
    """POST /channels/{channel_id}/threads."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"), write=True)
    body = body_of(request).json or {}
    kind = int(body.get("type") or PRIVATE_THREAD)
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD):
        raise ApiError(400, 50035, "Invalid Form Body")
    if kind == PRIVATE_THREAD and ch.no_private_threads:
        raise missing_permissions()  # Create Private Threads is missing in this channel
    thread = _new_thread(state, ch, body, None, kind)
    if kind == PRIVATE_THREAD and body.get("invitable") is not None:
        thread.invitable = bool(body["invitable"])
    return json_response(thread.payload(), 201)


THREAD_EDITS = {"name", "archived", "locked", "invitable", "auto_archive_duration"}
THREAD_EDITS_IGNORED = {"rate_limit_per_user", "flags", "applied_tags"}


async def edit_channel(request: web.Request) -> web.Response:
    """PATCH /channels/{channel_id}: threads only here (UpdateThreadRequestPartial)."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"))
    if not ch.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    body = body_of(request).json or {}
    unknown = set(body) - THREAD_EDITS - THREAD_EDITS_IGNORED
    if unknown:
        raise ApiError(400, 50035, f"Invalid Form Body: {sorted(unknown)}")
    for key in ("archived", "locked", "invitable"):
        if body.get(key) is not None:
            setattr(ch, key, bool(body[key]))
    if body.get("name"):
        ch.name = str(body["name"])[:100]
    state.emit("THREAD_UPDATE", ch.payload(), ch.guild_id, GUILDS_INTENT, False)
    state.notify()
    return json_response(ch.payload())


async def add_thread_member(request: web.Request) -> web.Response:
    """PUT /channels/{channel_id}/thread-members/{user_id}: 204."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"), write=True)
    if not ch.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    user_id = snowflake_arg(request, "user_id")
    if user_id not in state.guilds[ch.guild_id or 0].members:
        raise ApiError(404, 10013, "Unknown User")
    ch.thread_members.add(user_id)
    state.notify()
    return no_content()


async def open_dm(request: web.Request) -> web.Response:
    """POST /users/@me/channels: always succeeds for a known user (sending may then 50007)."""
    state = fake_of(request).state
    recipient = state.users.get(int((body_of(request).json or {}).get("recipient_id", 0)))
    if recipient is None or recipient.id == state.bot.id:
        raise ApiError(400, 50033, "Invalid Recipient(s)")
    return json_response(state.dm_channel(recipient).payload())


async def typing(request: web.Request) -> web.Response:
    """POST /channels/{channel_id}/typing."""
    channel_for(fake_of(request).state, snowflake_arg(request, "channel_id"), write=True)
    return no_content()


async def reaction(request: web.Request) -> web.Response:
    """PUT/DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
    state = fake_of(request).state
    ch = channel_for(state, snowflake_arg(request, "channel_id"))
    msg = message_for(state, ch, snowflake_arg(request, "message_id"))
    emoji = request.match_info["emoji"]
    if request.method == "PUT":
        msg.reactions[emoji] = msg.reactions.get(emoji, 0) + 1
    elif msg.reactions.get(emoji):
        msg.reactions[emoji] -= 1
        if not msg.reactions[emoji]:
            del msg.reactions[emoji]
    state.notify()
    return no_content()


def register(routes: web.RouteTableDef) -> None:
    """Add this module's routes."""
    routes.post("/users/@me/channels")(open_dm)
    routes.get("/channels/{channel_id}")(get_channel)
    routes.patch("/channels/{channel_id}")(edit_channel)
    routes.put("/channels/{channel_id}/thread-members/{user_id}")(add_thread_member)
    routes.get("/channels/{channel_id}/messages")(history)
    routes.post("/channels/{channel_id}/messages")(send_message)
    for method in ("GET", "PATCH", "DELETE"):
        routes.route(method, "/channels/{channel_id}/messages/{message_id}")(one_message)
    routes.post("/channels/{channel_id}/messages/{message_id}/threads")(thread_from_message)
    routes.post("/channels/{channel_id}/threads")(thread_without_message)
    routes.post("/channels/{channel_id}/typing")(typing)
    for method in ("PUT", "DELETE"):
        routes.route(method, "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")(
            reaction
        )
