"""Interaction callbacks and the interaction webhook (followups, @original)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .httputil import (
    ApiError,
    RequestBody,
    after_send,
    body_of,
    json_response,
    no_content,
    snowflake_arg,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .messages import FakeMessage, assign_component_ids
from .models import EPHEMERAL, LOADING, FakeModal
from .routes_core import fake_of
from .state import FakeInteraction, FakeState
from .validate import validate_choices, validate_message, validate_modal

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
# Callback type -> interaction types it may answer.
ALLOWED: dict[int, tuple[int, ...]] = {
    1: (PING,),
    4: (COMMAND, COMPONENT, MODAL_SUBMIT),
    5: (COMMAND, COMPONENT, MODAL_SUBMIT),
    6: (COMPONENT, MODAL_SUBMIT),
    7: (COMPONENT, MODAL_SUBMIT),
    8: (AUTOCOMPLETE,),
    9: (COMMAND, COMPONENT),
}


def _metadata(inter: FakeInteraction) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(inter.id),
        "type": inter.type,
        "user": inter.user.payload(),
        "authorizing_integration_owners": inter.payload.get("authorizing_integration_owners", {}),
    }
    if inter.type == COMMAND:
        data["name"] = inter.payload["data"]["name"]
    if inter.message_id is not None:
        data["interacted_message_id"] = str(inter.message_id)
    if inter.original_id is not None:
        data["original_response_message_id"] = str(inter.original_id)
    return data


def _new_message(
    state: FakeState,
    inter: FakeInteraction,
    data: dict[str, Any],
    body: RequestBody,
    extra_flags: int = 0,
) -> FakeMessage:
    channel = state.channels[inter.channel_id]
    flags = int(data.get("flags") or 0) | extra_flags
    return state.create_message(
        channel,
        state.bot,
        {**data, "flags": flags},
        body.files,
        visible_to=inter.user.id if flags & EPHEMERAL else None,
        webhook_id=state.app_id,
        type=20 if inter.type == COMMAND else 0,
        interaction_metadata=_metadata(inter),
    )


def _respond(
    request: web.Request, inter: FakeInteraction, kind: int, data: dict[str, Any]
) -> FakeMessage | FakeModal | None:
    """Apply one callback to the state; returns the message or modal it produced."""
    state, body = fake_of(request).state, body_of(request)
    if kind in (4, 7):
        validate_message(data, creating=kind == 4, files=len(body.files))
    if kind == 4:
        inter.original_id = (msg := _new_message(state, inter, data, body)).id
        return msg
    if kind == 5:
        ephemeral = int(data.get("flags") or 0) & EPHEMERAL
        placeholder = {"content": "", "flags": ephemeral}
        msg = _new_message(state, inter, placeholder, RequestBody(), LOADING)
        inter.original_id = msg.id
        return msg
    if kind in (6, 7):
        if inter.message_id is None:  # a modal opened by a slash command has no message
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_CALLBACK_TYPE_INVALID",
                                "message": "No message to update",
                            }
                        ]
                    }
                },
            )
        inter.original_id = inter.message_id
        msg = state.messages[inter.message_id]
        return state.edit_message(msg, data, body.files) if kind == 7 else msg
    if kind == 8:
        validate_choices(data)
        inter.choices = list(data["choices"])
        return None
    if kind == 9:
        validate_modal(data)
        assign_component_ids(data["components"])
        modal = FakeModal(
            data["custom_id"],
            data["title"],
            data["components"],
            inter.user.id,
            inter.id,
            inter.message_id,
        )
        inter.modal = modal
        state.modals.append(modal)
        return modal
    return None


def _callback_body(
    inter: FakeInteraction, kind: int, produced: FakeMessage | FakeModal | None
) -> dict[str, Any]:
    """The InteractionCallbackResponse discord.py >= 2.5 parses."""
    msg = produced if isinstance(produced, FakeMessage) else None
    info: dict[str, Any] = {
        "id": str(inter.id),
        "type": inter.type,
        "activity_instance_id": None,
        "response_message_id": str(msg.id) if msg else None,
        "response_message_loading": kind == 5,
        "response_message_ephemeral": bool(msg and msg.ephemeral),
    }
    resource: dict[str, Any] = {"type": kind}
    if msg is not None and kind in (4, 5, 7):
        resource["message"] = msg.payload()
    return {"interaction": info, "resource": resource}


async def callback(request: web.Request) -> web.Response:
    """POST /interactions/{id}/{token}/callback (types 1, 4–9; ``?with_response``)."""
    fake = fake_of(request)
    inter = fake.state.interactions.get(snowflake_arg(request, "interaction_id"))
    if inter is None or inter.token != request.match_info["token"]:
        raise unknown_interaction()
    payload = body_of(request).json or {}
    kind = int(payload.get("type", 0))
    try:
        late = (
            fake.interaction_deadline is not None
            and time.monotonic() - inter.created_at > fake.interaction_deadline
        )
        if late:
            raise unknown_interaction()
        if inter.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if inter.type not in ALLOWED.get(kind, ()):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": {
                        "_errors": [
                            {
                                "code": "INTERACTION_CALLBACK_TYPE_INVALID",
                                "message": f"Callback {kind} not allowed for "
                                f"interaction type {inter.type}",
                            }
                        ]
                    }
                },
            )
        produced = _respond(request, inter, kind, payload.get("data") or {})
    except ApiError as exc:
        inter.errors.append(("callback", exc.status, exc.code))
        raise
    inter.response_type = kind
    inter.responded_at = time.monotonic()

    def settle() -> None:
        if produced is not None:
            produced.settle_at = time.monotonic() + fake.settle

    after_send(request, settle)
    if request.query.get("with_response", "").lower() not in ("1", "true"):
        return no_content()
    return json_response(_callback_body(inter, kind, produced))


def _interaction_for(request: web.Request) -> FakeInteraction:
    fake = fake_of(request)
    if snowflake_arg(request, "webhook_id") != fake.state.app_id:
        raise unknown_webhook()
    inter = fake.state.interactions_by_token.get(request.match_info["webhook_token"])
    if inter is None:
        raise unknown_webhook()
    if time.monotonic() - inter.created_at > fake.token_ttl:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    return inter


async def followup(request: web.Request) -> web.Response:
    """POST /webhooks/{app}/{token}: a followup (the first one after a defer fills the defer)."""
    fake = fake_of(request)
    state, body = fake.state, body_of(request)
    inter = _interaction_for(request)
    data = body.json or {}
    try:
        if inter.response_type is None:
            raise unknown_webhook()
        validate_message(data, creating=True, files=len(body.files))
    except ApiError as exc:
        inter.errors.append(("followup", exc.status, exc.code))
        raise
    original = state.messages.get(inter.original_id or 0)
    if inter.response_type == 5 and original is not None and original.loading:
        flags = int(data.get("flags") or 0) & ~EPHEMERAL  # the defer decided ephemerality
        msg = state.edit_message(original, {**data, "flags": flags}, body.files)
    else:
        msg = _new_message(state, inter, data, body)
        inter.followup_ids.append(msg.id)
    after_send(request, lambda: setattr(msg, "settle_at", time.monotonic() + fake.settle))
    if request.query.get("wait", "").lower() not in ("1", "true"):
        return no_content()
    return json_response(msg.payload())


def _webhook_message(request: web.Request, inter: FakeInteraction) -> FakeMessage:
    state = fake_of(request).state
    ref = request.match_info["message_id"]
    message_id = inter.original_id if ref == "@original" else int(ref) if ref.isdigit() else None
    allowed = {inter.original_id, inter.message_id, *inter.followup_ids}
    msg = state.messages.get(message_id or 0)
    if msg is None or msg.deleted or message_id not in allowed:
        raise unknown_message()
    return msg


async def webhook_message(request: web.Request) -> web.Response:
    """GET/PATCH/DELETE /webhooks/{app}/{token}/messages/{@original|message_id}."""
    fake = fake_of(request)
    inter = _interaction_for(request)
    try:
        msg = _webhook_message(request, inter)
        if request.method == "PATCH":
            body = body_of(request)
            validate_message(body.json or {}, creating=False, files=len(body.files))
    except ApiError as exc:
        inter.errors.append((f"{request.method} message", exc.status, exc.code))
        raise
    if request.method == "DELETE":
        fake.state.delete_message(msg)
        return no_content()
    if request.method == "PATCH":
        body = body_of(request)
        fake.state.edit_message(msg, body.json or {}, body.files)
        after_send(request, lambda: setattr(msg, "settle_at", time.monotonic() + fake.settle))
    return json_response(msg.payload())


def register(routes: web.RouteTableDef) -> None:
    """Add this module's routes."""
    routes.post("/interactions/{interaction_id}/{token}/callback")(callback)
    routes.post("/webhooks/{webhook_id}/{webhook_token}")(followup)
    for method in ("GET", "PATCH", "DELETE"):
        routes.route(method, "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")(
            webhook_message
        )
