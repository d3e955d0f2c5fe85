"""Read one YAML file of the question bank without trusting it, and collect its problems.

Anyone can open a pull request with a question file, so a file must never cost a traceback, a
hang or the machine's memory. It is refused, with a line and column, when it is too big (known
from its size before reading), not UTF-8, uses an alias (an alias bomb grows exponentially as it
expands; the bank never needs aliases), nests deeper than any question does (the composer
recurses) or repeats a key (YAML would silently keep the last value and lose the first).
"""

from __future__ import annotations

import difflib
import os
import re
import reprlib
import stat
from pathlib import Path
from typing import Any, Protocol

import yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID = 48
MAX_BYTES = 256 * 1024
MAX_DEPTH = 20  # a question nests 6 levels deep (probes -> key_points -> label)
MAX_PROBLEMS = 20  # per file: enough to fix a file, short enough to read
CLIP = 80
Note = tuple[str, str]  # (field, what is wrong)


class FileProblem(Exception):
    """The whole file cannot be used; the message says why in one line."""


class _ShortRepr(reprlib.Repr):
    """reprlib, but a huge int is described instead of printed (str() refuses >4300 digits)."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 256:
            return f"<a {x.bit_length():,}-bit number>"
        return super().repr_int(x, level)


_REPR = _ShortRepr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, CLIP, CLIP


def shown(value: Any) -> str:
    """A value as a message quotes it: at most about CLIP characters, then its full size."""
    if isinstance(value, str):
        if len(value) <= CLIP:
            return repr(value)
        quoted = repr(value[:CLIP])
        return f"{quoted[:-1]}…{quoted[-1]} ({len(value):,} chars)"
    text = _REPR.repr(value)
    if len(text) > CLIP:
        text = text[:CLIP] + "…"
    if isinstance(value, list | dict | set | tuple | bytes) and text.endswith("…"):
        text += f" ({len(value):,} items)"
    return text


def is_id(value: Any) -> bool:
    """A valid question or topic id: lowercase words joined by '-', at most MAX_ID long."""
    return isinstance(value, str) and len(value) <= MAX_ID and bool(ID_PATTERN.match(value))


def shown_id(value: Any, fallback: str) -> str:
    """The id a message names: the one the file gives if it is a valid id, else fallback."""
    return value if is_id(value) else fallback


def key_name(key: Any) -> str:
    """A mapping key as part of a field name: bare when it is a short word, else quoted."""
    if isinstance(key, str) and 0 < len(key) <= 40 and key.isprintable() and " " not in key:
        return key
    return shown(key)


def printable(text: str) -> str:
    """Text with control characters escaped, so a message stays on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class _Mark(Protocol):
    """Where in the file: PyYAML's mark or libyaml's, which the stubs type apart."""

    line: int
    column: int


def _at(mark: _Mark | None) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


class _BankLoader(yaml.SafeLoader):
    """safe_load's types and tags, but no aliases and no nesting beyond MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise FileProblem(
                f"uses the alias *{printable(event.anchor or '')[:CLIP]}{_at(event.start_mark)}; "
                "aliases are not allowed in the bank, write the value out"
            )
        if self.depth >= MAX_DEPTH:
            raise FileProblem(f"nests deeper than {MAX_DEPTH} levels{_at(event.start_mark)}")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # int("9" * 5000), a date 2026-13-45
            value = shown(node.value) if isinstance(node.value, str) else "a value"
            kind = node.tag.rpartition(":")[2]
            reason = printable(str(exc).partition(":")[0])[:CLIP]
            raise FileProblem(
                f"cannot read {value}{_at(node.start_mark)} as {kind}: {reason}"
            ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        # O_NONBLOCK: a FIFO named like a question must not block the open; fstat refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise FileProblem("is not a regular file")
            if info.st_size > MAX_BYTES:
                raise FileProblem(_too_big(info.st_size))
            data = os.read(fd, MAX_BYTES + 1)  # one read: a regular file returns all it has
        finally:
            os.close(fd)
    except OSError as exc:
        raise FileProblem(f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_BYTES:  # it grew after fstat
        raise FileProblem(_too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return f"is {size:,} bytes; the limit is {MAX_BYTES:,} bytes ({MAX_BYTES // 1024} KiB)"


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # editors may add a BOM; harmless
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise FileProblem(
            f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, column {column}; "
            "save it as UTF-8"
        ) from None
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        raise FileProblem(
            f"has the control character U+{ord(bad.group()):04X} at line {line}, "
            f"column {column}; remove it"
        )
    return text


def _drop_bad_keys(root: yaml.Node) -> list[Note]:
    """Drop keys that repeat or are not scalars, noting each with its field and line."""
    found: list[tuple[int, str, str]] = []
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, field = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{field}[{i}]") for i, child in enumerate(node.value))
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: dict[tuple[str, str], int] = {}
        kept = []
        for key, value in node.value:
            line = key.start_mark.line + 1
            if not isinstance(key, yaml.ScalarNode):
                kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
                found.append((line, field or "file", f"has a {kind} as a key at line {line}"))
                continue
            name = f"{field}.{key_name(key.value)}" if field else key_name(key.value)
            if (key.tag, key.value) in seen:
                first = seen[(key.tag, key.value)]
                found.append((line, name, f"is given twice (lines {first} and {line}); keep one"))
                continue
            seen[(key.tag, key.value)] = line
            kept.append((key, value))
            stack.append((value, name))
        node.value = kept
    return [(field, message) for _, field, message in sorted(found)]


def read_yaml(path: Path) -> tuple[Any, list[Note]]:
    """The data in one file and the keys dropped from it; FileProblem if it cannot be used."""
    return parse_yaml(_read_bytes(path))


def parse_yaml(data: bytes) -> tuple[Any, list[Note]]:
    """The data in a file's bytes (say, an upload) and the keys dropped, checked as a file."""
    if len(data) > MAX_BYTES:
        raise FileProblem(_too_big(len(data)))
    loader = _BankLoader(_decode(data))
    try:
        node = loader.get_single_node()
        if node is None:
            raise FileProblem("is empty")
        notes = _drop_bad_keys(node)
        data = loader.construct_document(node)
        if data is None:
            raise FileProblem("holds only null")
        return data, notes
    except yaml.MarkedYAMLError as exc:
        problem = printable(str(exc.problem or exc))[: CLIP * 2]
        raise FileProblem(f"is not valid YAML{_at(exc.problem_mark)}: {problem}") from None
    except yaml.YAMLError as exc:
        raise FileProblem(f"is not valid YAML: {printable(str(exc))[: CLIP * 2]}") from None
    finally:
        loader.dispose()


class FileChecker:
    """Collects the problems of one file as `file: id: field: what is wrong` lines."""

    def __init__(self, path: Path | str, root: Path | None = None) -> None:
        if isinstance(path, str):  # bytes from elsewhere (an upload), named by the caller
            self.where = printable(path)
        else:
            where = path.relative_to(root) if root and path.is_relative_to(root) else path
            self.where = printable(where.as_posix())
        self.qid = "-"
        self.problems: list[str] = []
        self.hidden = 0

    def fail(self, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{self.where}: {self.qid}: {field}: {message}")
        else:
            self.hidden += 1

    def lines(self) -> list[str]:
        """The problems found, with one line for any beyond MAX_PROBLEMS."""
        more = f"{self.where}: {self.qid}: file: and {self.hidden:,} more problem(s)"
        return self.problems + ([more] if self.hidden else [])

    def read(self, path: Path) -> tuple[Any, list[Note]]:
        """The file's data and dropped keys; (None, []) when it cannot be read (reported)."""
        try:
            return read_yaml(path)
        except FileProblem as exc:
            self.fail("file", str(exc))
            return None, []

    def parse(self, data: bytes) -> tuple[Any, list[Note]]:
        """Like read, for bytes in hand."""
        try:
            return parse_yaml(data)
        except FileProblem as exc:
            self.fail("file", str(exc))
            return None, []

    def report(self, notes: list[Note]) -> None:
        for field, message in notes:
            self.fail(field, message)

    def text(self, data: dict[Any, Any], key: str, field: str, limit: int) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            got = "missing" if value is None else f"got {type(value).__name__} {shown(value)}"
            self.fail(field, f"must be non-empty text ({got})")
            return ""
        if len(value) > limit:
            self.fail(field, f"is {len(value):,} characters; the limit is {limit}")
        return value.strip()

    def items(self, data: dict[Any, Any], key: str, field: str, low: int, high: int) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            got = "missing" if value is None else f"got {type(value).__name__} {shown(value)}"
            self.fail(field, f"must be a list ({got})")
            return []
        if not low <= len(value) <= high:
            self.fail(field, f"has {len(value):,} item(s); expected {low} to {high}")
        return value

    def unknown(self, data: dict[Any, Any], allowed: set[str], field: str) -> None:
        for key in sorted(set(data) - allowed, key=key_name):
            word = key[:CLIP] if isinstance(key, str) else ""
            hint = difflib.get_close_matches(word, sorted(allowed), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.fail(f"{field}{key_name(key)}", f"unknown key{extra}")
