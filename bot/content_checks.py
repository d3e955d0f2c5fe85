"""Reading one content file: its YAML, and its fields' problems as `file: id: field: what`."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml


class Checker:
    """Collects problems for one file while fields are read."""

    def __init__(self, path: Path, root: Path) -> None:
        self.where = str(
            path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
        )
        self.qid = "-"
        self.problems: list[str] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(f"{self.where}: {self.qid}: {field}: {message}")

    def text(self, data: dict[str, Any], key: str, field: str, limit: int) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            got = "missing" if value is None else f"got {type(value).__name__} {value!r}"
            self.fail(field, f"must be non-empty text ({got})")
            return ""
        if len(value) > limit:
            self.fail(field, f"is {len(value)} characters; the limit is {limit}")
        return value.strip()

    def items(self, data: dict[str, Any], key: str, field: str, low: int, high: int) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            self.fail(field, "must be a list")
            return []
        if not low <= len(value) <= high:
            self.fail(field, f"has {len(value)} item(s); expected {low} to {high}")
        return value

    def unknown(self, data: dict[str, Any], allowed: set[str], field: str) -> None:
        for key in sorted(set(data) - allowed, key=str):
            hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.fail(f"{field}{key}", f"unknown key{extra}")


def read_yaml(path: Path, check: Checker) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        check.fail("file", f"cannot be read: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        check.fail("file", f"is not valid YAML{at}: {getattr(exc, 'problem', exc)}")
    return None
