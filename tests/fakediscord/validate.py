"""Discord's payload limits; a violation is a 400 50035 "Invalid Form Body" as on the real API."""

from __future__ import annotations

from typing import Any

from .httputil import ApiError, invalid_form
from .messages import walk_components
from .models import IS_COMPONENTS_V2

Problems = list[tuple[str, str]]
SELECT_TYPES = (3, 5, 6, 7, 8)
V2_TOP_LEVEL = (1, 9, 10, 12, 13, 14, 17)
LABEL_CHILDREN = (3, 4, 5, 6, 7, 8, 19, 21, 22, 23)


def raise_if(problems: Problems) -> None:
    """Raise 400 50035 with Discord's nested ``errors`` object if there are problems."""
    if not problems:
        return
    errors: dict[str, Any] = {}
    for path, message in problems:
        node = errors
        for key in path.split("."):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_INVALID", "message": message})
    raise invalid_form(errors)


def _max(problems: Problems, path: str, value: Any, limit: int) -> None:
    if value is not None and len(value) > limit:
        problems.append((path, f"Must be {limit} or fewer in length."))


def check_embeds(embeds: list[dict[str, Any]], problems: Problems) -> None:
    """≤ 10 embeds; per-field limits; 6000 characters across all of them."""
    if len(embeds) > 10:
        problems.append(("embeds", "Must be 10 or fewer in length."))
    total = 0
    for i, e in enumerate(embeds):
        p = f"embeds.{i}"
        _max(problems, f"{p}.title", e.get("title"), 256)
        _max(problems, f"{p}.description", e.get("description"), 4096)
        _max(problems, f"{p}.footer.text", (e.get("footer") or {}).get("text"), 2048)
        _max(problems, f"{p}.author.name", (e.get("author") or {}).get("name"), 256)
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append((f"{p}.fields", "Must be 25 or fewer in length."))
        for j, f in enumerate(fields):
            if not f.get("name") or not f.get("value"):
                problems.append((f"{p}.fields.{j}", "This field is required"))
            _max(problems, f"{p}.fields.{j}.name", f.get("name"), 256)
            _max(problems, f"{p}.fields.{j}.value", f.get("value"), 1024)
            total += len(f.get("name") or "") + len(f.get("value") or "")
        total += sum(
            len(x or "")
            for x in (
                e.get("title"),
                e.get("description"),
                (e.get("footer") or {}).get("text"),
                (e.get("author") or {}).get("name"),
            )
        )
    if total > 6000:
        problems.append(("embeds", "Embed size exceeds maximum size of 6000"))


def check_item(comp: dict[str, Any], path: str, problems: Problems) -> None:
    """Limits of one interactive component (button, select, text input...)."""
    kind = comp.get("type")
    if kind == 2:
        _max(problems, f"{path}.label", comp.get("label"), 80)
        if comp.get("style") == 5:
            if not comp.get("url") or "custom_id" in comp:
                problems.append((path, "Link buttons need a url and cannot have a custom_id"))
            return
        if comp.get("style") == 6:
            return
    if kind in (2, *SELECT_TYPES, 4, 19, 21, 22, 23):
        cid = comp.get("custom_id")
        if not cid or len(cid) > 100:
            problems.append((f"{path}.custom_id", "Must be between 1 and 100 in length."))
    if kind == 3:
        options = comp.get("options") or []
        if not 1 <= len(options) <= 25:
            problems.append((f"{path}.options", "Must be between 1 and 25 in length."))
        for j, o in enumerate(options):
            for key in ("label", "value", "description"):
                _max(problems, f"{path}.options.{j}.{key}", o.get(key), 100)
    if kind in SELECT_TYPES:
        _max(problems, f"{path}.placeholder", comp.get("placeholder"), 150)
        lo, hi = comp.get("min_values"), comp.get("max_values")
        lo, hi = 1 if lo is None else lo, 1 if hi is None else hi
        if not 0 <= lo <= hi <= 25:
            problems.append((path, "min_values/max_values out of range"))
    if kind == 4:
        for key in ("min_length", "max_length"):
            if comp.get(key) is not None and not 0 <= comp[key] <= 4000:
                problems.append((f"{path}.{key}", "Must be between 0 and 4000."))
        _max(problems, f"{path}.value", comp.get("value"), 4000)
    if kind == 22 and not 1 <= len(comp.get("options") or []) <= 10:
        problems.append((f"{path}.options", "Must be between 1 and 10 in length."))


def check_classic(components: list[dict[str, Any]], problems: Problems) -> None:
    """Classic layout: ≤ 5 action rows, each with ≤ 5 buttons or exactly one select."""
    if len(components) > 5:
        problems.append(("components", "Must be 5 or fewer in length."))
    for i, row in enumerate(components):
        if row.get("type") != 1:
            problems.append((f"components.{i}", "Only action rows without IS_COMPONENTS_V2"))
            continue
        check_row(row, f"components.{i}", problems)


def check_row(row: dict[str, Any], path: str, problems: Problems) -> None:
    """An action row: 1–5 buttons or a single select."""
    children = row.get("components") or []
    kinds = {c.get("type") for c in children}
    if not children or len(children) > 5 or (kinds & set(SELECT_TYPES) and len(children) > 1):
        problems.append((f"{path}.components", "An action row holds 1-5 buttons or one select"))
    for j, c in enumerate(children):
        check_item(c, f"{path}.components.{j}", problems)


def check_v2(components: list[dict[str, Any]], problems: Problems) -> None:
    """Components V2: ≤ 40 components in all, ≤ 4000 characters of text display."""
    all_comps = list(walk_components(components))
    if len(all_comps) > 40:
        problems.append(("components", "Must be 40 or fewer in total."))
    text = sum(len(c.get("content") or "") for c in all_comps if c.get("type") == 10)
    if text > 4000:
        problems.append(("components", "Text displays exceed 4000 characters in total."))
    for i, c in enumerate(components):
        if c.get("type") not in V2_TOP_LEVEL:
            problems.append((f"components.{i}", f"Component type {c.get('type')} not allowed here"))
    for c in all_comps:
        if c.get("type") == 1:
            check_row(c, "components", problems)
        elif c.get("type") == 9 and not 1 <= len(c.get("components") or []) <= 3:
            problems.append(("components", "A section holds 1-3 text displays"))


def check_unique_custom_ids(components: list[dict[str, Any]], problems: Problems) -> None:
    """Discord rejects duplicate custom_ids within one message or modal."""
    seen: set[str] = set()
    for c in walk_components(components):
        cid = c.get("custom_id")
        if cid is not None:
            if cid in seen:
                problems.append(("components", f"Component custom id cannot be duplicated: {cid}"))
            seen.add(cid)


def validate_message(body: dict[str, Any], *, creating: bool, files: int = 0) -> None:
    """Validate a message create/edit payload (channel message, callback data, webhook)."""
    problems: Problems = []
    content = body.get("content") or ""
    _max(problems, "content", content, 2000)
    embeds = body.get("embeds") or []
    check_embeds(embeds, problems)
    components = body.get("components") or []
    flags = int(body.get("flags") or 0)
    if flags & IS_COMPONENTS_V2:
        if content or embeds:
            problems.append(("content", "content and embeds must be empty with IS_COMPONENTS_V2"))
        check_v2(components, problems)
    else:
        check_classic(components, problems)
    check_unique_custom_ids(components, problems)
    raise_if(problems)
    has_any = (
        content
        or embeds
        or components
        or files
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
    )
    if creating and not has_any:
        raise ApiError(400, 50006, "Cannot send an empty message")


def validate_modal(data: dict[str, Any]) -> None:
    """Modal limits: title ≤ 45, 1–5 top-level components, labels wrapping inputs."""
    problems: Problems = []
    title = data.get("title") or ""
    if not 1 <= len(title) <= 45:
        problems.append(("data.title", "Must be between 1 and 45 in length."))
    cid = data.get("custom_id") or ""
    if not 1 <= len(cid) <= 100:
        problems.append(("data.custom_id", "Must be between 1 and 100 in length."))
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        problems.append(("data.components", "Must be between 1 and 5 in length."))
    for i, c in enumerate(comps):
        path = f"data.components.{i}"
        if c.get("type") == 18:
            _max(problems, f"{path}.label", c.get("label"), 45)
            _max(problems, f"{path}.description", c.get("description"), 100)
            child = c.get("component") or {}
            if child.get("type") not in LABEL_CHILDREN:
                problems.append((f"{path}.component", "Invalid component inside a label"))
            check_item(child, f"{path}.component", problems)
        elif c.get("type") == 1:
            children = c.get("components") or []
            if len(children) != 1 or children[0].get("type") not in (4, *SELECT_TYPES):
                problems.append((path, "A modal action row holds one text input or select"))
            for j, child in enumerate(children):
                check_item(child, f"{path}.components.{j}", problems)
        elif c.get("type") != 10:
            problems.append((path, f"Component type {c.get('type')} not allowed in a modal"))
    check_unique_custom_ids(comps, problems)
    raise_if(problems)


def validate_choices(data: dict[str, Any]) -> None:
    """Autocomplete results: ≤ 25 choices, name 1–100, string value ≤ 100."""
    problems: Problems = []
    choices = data.get("choices")
    if not isinstance(choices, list):
        problems.append(("data.choices", "This field is required"))
        choices = []
    if len(choices) > 25:
        problems.append(("data.choices", "Must be 25 or fewer in length."))
    for i, c in enumerate(choices):
        if not 1 <= len(str(c.get("name", ""))) <= 100:
            problems.append((f"data.choices.{i}.name", "Must be between 1 and 100 in length."))
        if isinstance(c.get("value"), str):
            _max(problems, f"data.choices.{i}.value", c["value"], 100)
    raise_if(problems)
