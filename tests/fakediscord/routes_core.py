"""REST routes: users, application, gateway discovery, commands, guilds, attachment downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .httputil import (
    FAKE_KEY,
    ApiError,
    after_send,
    body_of,
    json_response,
    no_content,
    snowflake_arg,
)

if TYPE_CHECKING:
    from .server import FakeDiscord
    from .state import FakeState

MEMBERS_LIMITED, PRESENCE_LIMITED, CONTENT_LIMITED = 1 << 15, 1 << 13, 1 << 19


def fake_of(request: web.Request) -> FakeDiscord:
    """The FakeDiscord serving this request."""
    return request.app[FAKE_KEY]


def application_payload(fake: FakeDiscord) -> dict[str, Any]:
    """The application object (GET /oauth2/applications/@me)."""
    state = fake.state
    flags = 0
    if fake.privileged_intents & (1 << 1):
        flags |= MEMBERS_LIMITED
    if fake.privileged_intents & (1 << 8):
        flags |= PRESENCE_LIMITED
    if fake.privileged_intents & (1 << 15):
        flags |= CONTENT_LIMITED
    return {
        "id": str(state.app_id),
        "name": state.bot.name,
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": state.owner.payload(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": flags,
        "bot": state.bot.payload(),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "approximate_guild_count": len(state.guilds),
        "tags": [],
        "integration_types_config": {"0": {}},
        "install_params": None,
    }


def guild_payload(state: FakeState, guild_id: int) -> dict[str, Any]:
    """GET /guilds/{id}: the guild without channels or members."""
    guild = state.guilds.get(guild_id)
    if guild is None or not guild.bot_member:
        raise ApiError(404, 10004, "Unknown Guild")
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [r.payload() for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": str(guild.system_channel_id) if guild.system_channel_id else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": guild.locale,
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "approximate_member_count": len(guild.members),
    }


async def me(request: web.Request) -> web.Response:
    """GET /users/@me."""
    return json_response(
        {
            **fake_of(request).state.bot.payload(),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
        }
    )


async def get_user(request: web.Request) -> web.Response:
    """GET /users/{user_id}."""
    user = fake_of(request).state.users.get(snowflake_arg(request, "user_id"))
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return json_response(user.payload())


async def application(request: web.Request) -> web.Response:
    """GET /oauth2/applications/@me and /applications/@me."""
    return json_response(application_payload(fake_of(request)))


async def gateway(request: web.Request) -> web.Response:
    """GET /gateway."""
    return json_response({"url": fake_of(request).ws_url})


async def gateway_bot(request: web.Request) -> web.Response:
    """GET /gateway/bot: recommended shards and session start limits."""
    fake = fake_of(request)
    return json_response(
        {
            "url": fake.ws_url,
            "shards": fake.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 86400000,
                "max_concurrency": fake.max_concurrency,
            },
        }
    )


def _scope(request: web.Request) -> int | None:
    fake = fake_of(request)
    if snowflake_arg(request, "application_id") != fake.state.app_id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in request.match_info:
        return None
    guild_id = snowflake_arg(request, "guild_id")
    if guild_id not in fake.state.guilds:
        raise ApiError(404, 10004, "Unknown Guild")
    return guild_id


async def list_commands(request: web.Request) -> web.Response:
    """GET /applications/{app}/commands (and the guild variant)."""
    return json_response(fake_of(request).commands.scope(_scope(request)))


async def put_commands(request: web.Request) -> web.Response:
    """PUT bulk overwrite."""
    scope = _scope(request)
    return json_response(fake_of(request).commands.overwrite(scope, body_of(request).json))


async def post_command(request: web.Request) -> web.Response:
    """POST one command."""
    scope = _scope(request)
    return json_response(fake_of(request).commands.upsert(scope, body_of(request).json), 201)


async def one_command(request: web.Request) -> web.Response:
    """GET/DELETE /applications/{app}/commands/{command_id}."""
    _scope(request)
    store = fake_of(request).commands
    command_id = snowflake_arg(request, "command_id")
    cmd = store.get(command_id)
    if cmd is None:
        raise ApiError(404, 10063, "Unknown application command")
    if request.method == "DELETE":
        store.delete(command_id)
        return no_content()
    return json_response(cmd)


async def get_guild(request: web.Request) -> web.Response:
    """GET /guilds/{guild_id}."""
    return json_response(guild_payload(fake_of(request).state, snowflake_arg(request, "guild_id")))


async def guild_channels(request: web.Request) -> web.Response:
    """GET /guilds/{guild_id}/channels."""
    state = fake_of(request).state
    guild_payload(state, snowflake_arg(request, "guild_id"))
    guild = state.guilds[snowflake_arg(request, "guild_id")]
    return json_response(
        [c.payload() for c in guild.channels.values() if not c.deleted and not c.is_thread]
    )


async def guild_member(request: web.Request) -> web.Response:
    """GET /guilds/{guild_id}/members/{user_id}."""
    state = fake_of(request).state
    guild_payload(state, snowflake_arg(request, "guild_id"))
    member = state.guilds[snowflake_arg(request, "guild_id")].members.get(
        snowflake_arg(request, "user_id")
    )
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    return json_response(member.payload())


async def guild_roles(request: web.Request) -> web.Response:
    """GET /guilds/{guild_id}/roles."""
    state = fake_of(request).state
    guild_payload(state, snowflake_arg(request, "guild_id"))
    return json_response(
        [r.payload() for r in state.guilds[snowflake_arg(request, "guild_id")].roles.values()]
    )


async def my_guilds(request: web.Request) -> web.Response:
    """GET /users/@me/guilds (partial guilds)."""
    state = fake_of(request).state
    return json_response(
        [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "owner": False,
                "permissions": str(g.permissions_of(g.members[state.bot.id])),
                "features": [],
            }
            for g in state.guilds.values()
            if g.bot_member
        ]
    )


async def leave_guild(request: web.Request) -> web.Response:
    """DELETE /users/@me/guilds/{guild_id}: the bot leaves; GUILD_DELETE follows."""
    fake = fake_of(request)
    guild_id = snowflake_arg(request, "guild_id")
    guild = fake.state.guilds.get(guild_id)
    if guild is None or not guild.bot_member:
        raise ApiError(404, 10004, "Unknown Guild")
    after_send(request, lambda: fake.remove_bot_sync(guild))
    return no_content()


CDN_PIECE = 1024  # bytes per write: a real download arrives in pieces, never in one read


async def cdn(request: web.Request) -> web.StreamResponse:
    """GET an uploaded attachment's bytes (what Attachment.read() fetches), sent in small
    pieces as a network delivers them, so a reader that stops at its first chunk fails."""
    state = fake_of(request).state
    att = state.attachments.get(int(request.match_info["attachment_id"]))
    if att is None:
        raise web.HTTPNotFound()
    response = web.StreamResponse(
        headers={"Content-Type": att.content_type or "application/octet-stream"}
    )
    response.content_length = len(att.data)
    await response.prepare(request)
    for start in range(0, len(att.data), CDN_PIECE):
        await response.write(att.data[start : start + CDN_PIECE])  # waits for the socket
    await response.write_eof()
    return response


def register(routes: web.RouteTableDef) -> None:
    """Add this module's routes."""
    routes.get("/users/@me")(me)
    routes.get("/users/@me/guilds")(my_guilds)
    routes.delete("/users/@me/guilds/{guild_id}")(leave_guild)
    routes.get("/users/{user_id}")(get_user)
    routes.get("/oauth2/applications/@me")(application)
    routes.get("/applications/@me")(application)
    routes.get("/gateway")(gateway)
    routes.get("/gateway/bot")(gateway_bot)
    for base in (
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ):
        routes.get(base)(list_commands)
        routes.put(base)(put_commands)
        routes.post(base)(post_command)
        routes.get(base + "/{command_id}")(one_command)
        routes.delete(base + "/{command_id}")(one_command)
    routes.get("/guilds/{guild_id}")(get_guild)
    routes.get("/guilds/{guild_id}/channels")(guild_channels)
    routes.get("/guilds/{guild_id}/roles")(guild_roles)
    routes.get("/guilds/{guild_id}/members/{user_id}")(guild_member)
