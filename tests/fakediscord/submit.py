"""What a Discord client sends for component clicks, select choices and modal submits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .build import CHANNEL, ROLE, USER, Resolved, _resolve, upload
from .messages import FakeMessage, walk_components
from .models import FakeGuild, FakeModal

if TYPE_CHECKING:
    from .server import FakeDiscord

SELECT_KIND = {3: None, 5: USER, 6: ROLE, 7: USER, 8: CHANNEL}


def find_button(message: FakeMessage, label: str | None, custom_id: str | None) -> dict[str, Any]:
    """A clickable button by label (exact, then case-insensitive substring) or custom_id."""
    buttons = message.buttons()
    if custom_id is not None:
        found = [b for b in buttons if b.get("custom_id") == custom_id]
    else:
        found = [b for b in buttons if b.get("label") == label] or [
            b for b in buttons if label and label.lower() in (b.get("label") or "").lower()
        ]
    if not found:
        labels = [b.get("label") for b in buttons]
        raise LookupError(f"no button {label or custom_id!r} in message {message.id}: {labels}")
    button = found[0]
    if button.get("disabled"):
        raise ValueError(f"button {label or custom_id!r} is disabled")
    if button.get("style") in (5, 6):
        raise ValueError(f"button {label or custom_id!r} is a link/premium button")
    return button


def find_select(
    message: FakeMessage, custom_id: str | None, placeholder: str | None
) -> dict[str, Any]:
    """A select menu by custom_id or placeholder (the only one if neither is given)."""
    selects = message.selects()
    found = [
        s
        for s in selects
        if (custom_id is None or s.get("custom_id") == custom_id)
        and (placeholder is None or s.get("placeholder") == placeholder)
    ]
    if not found:
        raise LookupError(f"no select {custom_id or placeholder!r} in message {message.id}")
    if found[0].get("disabled"):
        raise ValueError("select is disabled")
    return found[0]


def select_values(
    fake: FakeDiscord,
    guild: FakeGuild | None,
    select: dict[str, Any],
    values: list[Any],
    resolved: Resolved,
) -> list[str]:
    """Validate chosen values like the client does; resolve users/roles/channels."""
    kind = select["type"]
    lo, hi = _int(select, "min_values", 1), _int(select, "max_values", 1)
    if not lo <= len(values) <= hi:
        raise ValueError(f"select {select.get('custom_id')!r} takes {lo}..{hi} values")
    if kind == 3:
        allowed = [o["value"] for o in select.get("options") or []]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"{bad} not among options {allowed}")
        return [str(v) for v in values]
    return [_resolve(fake, guild, SELECT_KIND[kind] or USER, v, resolved) for v in values]


def _int(comp: dict[str, Any], key: str, default: int) -> int:
    """An optional integer field (discord.py sends explicit nulls)."""
    value = comp.get(key)
    return default if value is None else int(value)


def _lookup(values: dict[str, Any], used: set[str], custom_id: str, label: str | None) -> Any:
    for key in (custom_id, label):
        if key is not None:
            for k, v in values.items():
                if k == key or (isinstance(k, str) and k.lower() == key.lower()):
                    used.add(k)
                    return v
    return None


def _defaults(comp: dict[str, Any]) -> list[str]:
    return [o["value"] for o in comp.get("options") or [] if o.get("default")]


def _text(comp: dict[str, Any], value: Any, name: str) -> str:
    """A text input's value as the client allows it (required, min/max length)."""
    text = str(comp.get("value") or "") if value is None else str(value)
    if comp.get("required", True) and not text:
        raise ValueError(f"text input {name!r} is required")
    if text and not _int(comp, "min_length", 0) <= len(text) <= _int(comp, "max_length", 4000):
        raise ValueError(f"text input {name!r}: length outside min_length/max_length")
    return text


def _checkboxes(comp: dict[str, Any], value: Any, name: str) -> list[str]:
    """A checkbox group's chosen values (must be options; min_values..max_values)."""
    chosen = list(value) if value is not None else _defaults(comp)
    allowed = [o["value"] for o in comp.get("options") or []]
    lo = _int(comp, "min_values", 1 if comp.get("required", True) else 0)
    hi = _int(comp, "max_values", len(allowed))
    if [v for v in chosen if v not in allowed] or not lo <= len(chosen) <= hi:
        raise ValueError(f"checkbox group {name!r}: {chosen} invalid for {allowed}")
    return [str(v) for v in chosen]


def _radio(comp: dict[str, Any], value: Any, name: str) -> str | None:
    """A radio group's choice."""
    allowed = [o["value"] for o in comp.get("options") or []]
    if value is None and comp.get("required", True):
        raise ValueError(f"radio group {name!r} is required")
    if value is not None and value not in allowed:
        raise ValueError(f"radio group {name!r}: {value!r} not in {allowed}")
    return value


def _modal_input(
    fake: FakeDiscord,
    guild: FakeGuild | None,
    comp: dict[str, Any],
    label: str | None,
    values: dict[str, Any],
    used: set[str],
    resolved: Resolved,
) -> dict[str, Any]:
    """The submitted form of one input (text input, select, radio, checkbox(es), upload)."""
    kind, cid = comp["type"], comp.get("custom_id", "")
    value = _lookup(values, used, cid, label or comp.get("label"))
    out: dict[str, Any] = {"type": kind, "id": comp.get("id"), "custom_id": cid}
    name = label or cid
    if kind == 4:
        out["value"] = _text(comp, value, name)
    elif kind in SELECT_KIND:
        chosen = list(value) if value is not None else _defaults(comp)
        required = comp.get("required", True)
        out["values"] = (
            select_values(fake, guild, comp, chosen, resolved) if chosen or required else []
        )
    elif kind == 22:
        out["values"] = _checkboxes(comp, value, name)
    elif kind == 21:
        out["value"] = _radio(comp, value, name)
    elif kind == 23:
        out["value"] = bool(comp.get("default", False) if value is None else value)
    elif kind == 19:
        atts = [upload(fake, v) for v in value or []]
        for att in atts:
            resolved.setdefault("attachments", {})[str(att.id)] = att.payload()
        out["values"] = [str(a.id) for a in atts]
    return out


def modal_components(
    fake: FakeDiscord, guild: FakeGuild | None, modal: FakeModal, values: dict[str, Any]
) -> tuple[list[dict[str, Any]], Resolved]:
    """``data.components`` (and ``resolved``) of a MODAL_SUBMIT for the given values, keyed by
    custom_id or label. Unknown keys and values the client would refuse raise ValueError."""
    used: set[str] = set()
    resolved: Resolved = {}
    out: list[dict[str, Any]] = []
    for comp in modal.components:
        kind = comp.get("type")
        if kind == 18:
            child = _modal_input(
                fake, guild, comp["component"], comp.get("label"), values, used, resolved
            )
            out.append({"type": 18, "id": comp.get("id"), "component": child})
        elif kind == 1:
            children = [
                _modal_input(fake, guild, c, None, values, used, resolved)
                for c in comp.get("components") or []
            ]
            out.append({"type": 1, "id": comp.get("id"), "components": children})
        elif kind == 10:
            out.append({"type": 10, "id": comp.get("id"), "content": comp.get("content", "")})
    unknown = set(values) - used
    if unknown:
        known = [c.get("custom_id") for c in walk_components(modal.components) if "custom_id" in c]
        raise ValueError(f"modal {modal.custom_id!r} has no inputs {sorted(unknown)}; has {known}")
    return out, resolved
