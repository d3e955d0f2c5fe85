"""The question bank: the shipped files validate, and bad files get precise messages."""

from __future__ import annotations

import itertools
import shutil
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml

from bot.core.models import TOPIC_IDS, Bank
from bot.domain.content.bankfile import CLIP, MAX_BYTES, MAX_DEPTH, MAX_PROBLEMS, shown
from bot.domain.content.loader import DEFAULT_CONTENT, ContentError, Library, load_bank
from bot.domain.content.report import style_warnings, summary

REFERENCE_COUNTS = {
    "database": 8,
    "cache": 7,
    "messaging": 7,
    "consistency": 6,
    "scale": 6,
    "reliability": 6,
    "security": 5,
    "operations": 5,
}


def test_every_topic_has_at_least_ten_questions(bank: Bank) -> None:
    assert list(bank.topics) == list(TOPIC_IDS)
    for topic in TOPIC_IDS:
        assert len(bank.in_topics([topic])) >= 10, topic
    assert len(bank.questions) >= 80


def test_every_reference_follow_up_is_in_the_bank(bank: Bank) -> None:
    for topic, count in REFERENCE_COUNTS.items():
        refs = sorted(q.reference for q in bank.in_topics([topic]) if q.reference is not None)
        assert refs == list(range(1, count + 1)), topic


def test_every_question_has_its_parts(bank: Bank) -> None:
    for question in bank.questions.values():
        assert 4 <= len(question.key_points) <= 8, question.id
        assert 2 <= len(question.probes) <= 3, question.id
        assert question.red_flags and question.tags, question.id
        for probe in question.probes:
            assert 2 <= len(probe.key_points) <= 5, question.id


def test_no_two_questions_are_near_duplicates(bank: Bank) -> None:
    questions = list(bank.questions.values())
    for a, b in itertools.combinations(questions, 2):
        ratio = SequenceMatcher(None, a.question.lower(), b.question.lower()).ratio()
        assert ratio < 0.8, f"{a.id} and {b.id} ask nearly the same thing ({ratio:.2f})"
        labels_a = {p.label.lower() for p in a.key_points}
        labels_b = {p.label.lower() for p in b.key_points}
        assert len(labels_a & labels_b) < 2, f"{a.id} and {b.id} share key points"


def test_summary_lists_every_topic(bank: Bank) -> None:
    lines = summary(bank)
    assert len(lines) == len(TOPIC_IDS) + 2
    assert lines[-2].startswith("total")
    assert lines[-1].startswith("labels: ")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the bank to break."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target


class _NoAliases(yaml.SafeDumper):
    """The bank refuses aliases, so a test must not write one for a repeated value."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_NoAliases)


def edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(dump(data), encoding="utf-8")


def problems_for(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_bank(root)
    return caught.value.problems


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"difficulty": "brutal"}, "difficulty: must be easy, medium or hard"),
        ({"title": None}, "title: must be non-empty text (missing)"),
        ({"question": 42}, "question: must be non-empty text (got int 42)"),
        ({"scenario": "x" * 301}, "scenario: is 301 characters; the limit is 300"),
        ({"key_points": [{"label": "a", "why": "b", "core": True}]}, "key_points: has 1 item(s)"),
        (
            {"key_points": ["just text"] + [{"label": "a", "why": "b", "core": True}] * 3},
            "key_points[0]: must be a mapping",
        ),
        ({"probes": []}, "probes: has 0 item(s); expected 2 to 3"),
        ({"tags": ["Not A Tag"]}, "tags[0]: 'Not A Tag' must be a lowercase kebab-case word"),
        ({"reference": "one"}, "reference: must be a whole number"),
        ({"topic": "cache"}, "topic: must equal the folder name 'database'"),
        ({"dificulty": "easy"}, "dificulty: unknown key (did you mean 'difficulty'?)"),
        ({"red_flags": [True]}, "red_flags[0]: True must be non-empty text"),
        ({"checked": "December"}, "checked: must be a month like '2026-12'"),
        ({"aliases": ["Not An Id"]}, "aliases[0]: 'Not An Id' must be an old id"),
    ],
)
def test_schema_errors_name_file_id_and_field(copy: Path, changes: dict, expected: str) -> None:
    path = sorted((copy / "database").glob("*.yaml"))[0]
    edit(path, **changes)
    problems = problems_for(copy)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"database/{path.name}: {path.stem}: ")
    assert expected in problems[0]


def test_key_point_label_limit_names_the_nested_field(copy: Path) -> None:
    path = sorted((copy / "cache").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["probes"][1]["key_points"][0]["label"] = "y" * 101
    path.write_text(dump(data), encoding="utf-8")
    (problem,) = problems_for(copy)
    assert "probes[1].key_points[0].label: is 101 characters; the limit is 100" in problem


def test_every_bad_file_is_reported_at_once(copy: Path) -> None:
    files = sorted((copy / "scale").glob("*.yaml"))[:2]
    files[0].write_text("id: [unclosed\n", encoding="utf-8")
    files[1].write_text("- a list\n", encoding="utf-8")
    problems = problems_for(copy)
    assert any("is not valid YAML at line 2" in p and files[0].name in p for p in problems)
    assert any("must hold one mapping" in p and files[1].name in p for p in problems)


def test_id_must_match_file_and_be_unique(copy: Path) -> None:
    first, second = sorted((copy / "security").glob("*.yaml"))[:2]
    edit(second, id=first.stem)
    problems = problems_for(copy)
    assert any("id: must equal the file name" in p for p in problems)


def test_duplicate_ids_across_topics(copy: Path) -> None:
    source = sorted((copy / "cache").glob("*.yaml"))[0]
    shutil.copy(source, copy / "database" / source.name)
    problems = problems_for(copy)
    assert any("topic: must equal the folder name 'database'" in p for p in problems)
    assert (
        f"database/{source.name}: {source.stem}: id: is also the id in cache/{source.name}; "
        "ids must be unique" in problems
    )


def test_yaml_booleans_are_caught(copy: Path) -> None:
    path = sorted((copy / "operations").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n", encoding="utf-8")
    edit(path, tags=["on"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["tags"] == ["on"]  # safe_dump quotes it; now write the trap by hand
    path.write_text(path.read_text(encoding="utf-8").replace("- 'on'", "- on"), encoding="utf-8")
    (problem,) = problems_for(copy)
    assert "tags[0]: True must be a lowercase kebab-case word" in problem


def test_unknown_topic_folder_and_bad_topics_file(copy: Path) -> None:
    (copy / "frontend").mkdir()
    shutil.copy(sorted((copy / "cache").glob("*.yaml"))[0], copy / "frontend" / "x.yaml")
    (copy / "topics.yaml").write_text("topics: []\n", encoding="utf-8")
    problems = problems_for(copy)
    assert any("topics.yaml" in p and "must list the topics" in p for p in problems)
    assert any("folder 'frontend' is not a topic" in p for p in problems)


def test_missing_folder() -> None:
    with pytest.raises(ContentError, match="does not exist"):
        load_bank(Path("/nonexistent/content"))


def _points(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["key_points"]


def test_every_question_marks_one_to_three_core_points_first(bank: Bank) -> None:
    for question in bank.questions.values():
        flags = [p.core for p in question.key_points]
        assert 1 <= sum(flags) <= 3, question.id
        assert flags == sorted(flags, reverse=True), question.id


def test_core_points_are_required_and_listed_first(copy: Path) -> None:
    path = sorted((copy / "database").glob("*.yaml"))[0]
    points = _points(path)
    edit(path, key_points=[{**p, "core": False} for p in points])
    assert any("mark 1 to 3 points 'core: true' (got 0)" in p for p in problems_for(copy))
    edit(path, key_points=[{**p, "core": i != 0} for i, p in enumerate(points)])
    assert any("core points must be listed before the others" in p for p in problems_for(copy))
    edit(path, key_points=[{**p, "core": "yes"} for p in points])
    assert any("core: must be true or false (got 'yes')" in p for p in problems_for(copy))


def test_an_alias_resolves_to_the_merged_question_and_cannot_be_reused(copy: Path) -> None:
    first, second = sorted((copy / "database").glob("*.yaml"))[:2]
    edit(first, aliases=["database-old-name"])
    bank = load_bank(copy)
    assert bank.get("database-old-name") is bank.questions[first.stem]
    assert bank.get("database-never-was") is None
    edit(second, aliases=["database-old-name", first.stem])
    problems = problems_for(copy)
    assert any("'database-old-name' is an alias of" in p for p in problems)
    assert any(f"{first.stem!r} is a current question's id" in p for p in problems)


def test_style_warnings_flag_long_and_compound_labels(copy: Path, bank: Bank) -> None:
    assert style_warnings(bank) == []
    path = sorted((copy / "cache").glob("*.yaml"))[0]
    points = _points(path)
    points[1]["label"] = "Adds jitter to TTLs; also warms the cache"
    points[2]["label"] = "x" * 90
    edit(path, key_points=points)
    warnings = style_warnings(load_bank(copy))
    assert len(warnings) == 2
    assert "key_points[1].label: may hold two ideas" in warnings[0]
    assert "key_points[2].label: is 90 characters; aim for 80" in warnings[1]


def test_values_in_messages_are_clipped_with_their_size() -> None:
    assert shown("a" * 12_345) == "'" + "a" * CLIP + "…' (12,345 chars)"
    assert shown("short") == "'short'"
    assert shown(2**5000) == "<a 5,001-bit number>"
    long_list = shown(["x" * 50] * 1000)
    assert len(long_list) < 2 * CLIP and long_list.endswith("… (1,000 items)")


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_not(copy: Path) -> None:
    path = sorted((copy / "messaging").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    padding = MAX_BYTES - len(text.encode("utf-8")) - 1
    path.write_text(text + "#" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert load_bank(copy).questions[path.stem]
    path.write_text(text + "#" * (padding + 1) + "\n", encoding="utf-8")
    (problem,) = problems_for(copy)
    assert problem == (
        f"messaging/{path.name}: -: file: is 262,145 bytes; the limit is 262,144 bytes (256 KiB)"
    )


def test_one_file_lists_at_most_a_screenful_of_problems(copy: Path) -> None:
    path = sorted((copy / "database").glob("*.yaml"))[0]
    junk = "".join(f"junk{i:04}: 1\n" for i in range(5000))
    path.write_text(path.read_text(encoding="utf-8") + junk, encoding="utf-8")
    problems = problems_for(copy)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == f"database/{path.name}: {path.stem}: junk0000: unknown key"
    assert problems[-1] == f"database/{path.name}: {path.stem}: file: and 4,980 more problem(s)"


def test_a_nested_duplicate_key_is_named_by_its_field(copy: Path) -> None:
    path = sorted((copy / "reliability").glob("*.yaml"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    probes = lines.index("probes:")
    label = next(i for i in range(probes, len(lines)) if lines[i].startswith("      - label:"))
    lines.insert(label + 1, "        label: a second label")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = problems_for(copy)
    where = f"reliability/{path.name}: {path.stem}: probes[0].key_points[0].label"
    assert problem == f"{where}: is given twice (lines {label + 1} and {label + 2}); keep one"


def test_deep_block_nesting_is_refused_without_recursion(copy: Path) -> None:
    path = sorted((copy / "security").glob("*.yaml"))[0]
    nested = "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "v\n"
    path.write_text(nested, encoding="utf-8")
    (problem,) = problems_for(copy)
    assert problem.startswith(
        f"security/{path.name}: -: file: nests deeper than {MAX_DEPTH} levels at "
    )


def test_a_bom_loads_the_same_question(copy: Path, bank: Bank) -> None:
    path = sorted((copy / "consistency").glob("*.yaml"))[0]
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_bank(copy).questions[path.stem] == bank.questions[path.stem]


def test_a_bad_bank_on_reload_keeps_the_old_one(copy: Path) -> None:
    library = Library.load(copy)
    before = library.bank
    path = sorted((copy / "cache").glob("*.yaml"))[0]
    path.write_text("a: &a [x]\nb: *a\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        library.reload()
    assert caught.value.problems[0].startswith(f"cache/{path.name}: -: file: uses the alias *a ")
    assert library.bank is before
