"""Hostile answers cannot crash or exhaust hipcoach, and errors never echo them whole.

Each defect a tester found is reproduced as a user meets it (`hipcoach assess --answers`,
`hipcoach plan --answers`): one clear line on stderr and exit status 2. Property tests then
feed any JSON- or YAML-like structure, any text and any number to the parser and the CLI.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipcoach.assess.answers import MAX_DEPTH, load_json, parse_answers
from hipcoach.cli.common import MAX_INPUT_BYTES, MAX_YAML_NODES, parse_json_or_yaml
from hipcoach.errors import ECHO_CHARS, InputError, shorten
from hipcoach.kb.load import load

MESSAGE_BOUND = 600  # characters: a message quotes a bad value shortened, whatever its size
ASSESS = ("assess", "--no-store", "--no-history", "--answers", "-")


def assess(cli: Any, text: Any) -> Any:
    return cli(*ASSESS, input=text)


def assert_one_clear_line(out: Any, *phrases: str) -> None:
    assert out.exit_code == 2, out.output
    assert out.stdout == ""
    assert out.stderr.startswith("Error: ")
    assert "Traceback" not in out.stderr
    assert len(out.stderr) < MESSAGE_BOUND, out.stderr[:MESSAGE_BOUND]
    for phrase in phrases:
        assert phrase in " ".join(out.stderr.split()), out.stderr


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


# --- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"answers": {"age": ' + "9" * 400 + "}}", "a 400-digit number, out of range"),
        ("answers: {age: " + "9" * 400 + "}", "a 400-digit number, out of range"),
        ('{"answers": {"age": 1e309}}', "is inf, out of range"),
        ('{"answers": {"age": -1e309}}', "is -inf, out of range"),
        ('{"answers": {"age": NaN}}', "is nan, out of range"),
        ("answers: {age: .nan}", "is nan, out of range"),
        ("answers: {age: -.inf}", "is -inf, out of range"),
        ('{"answers": {"age": "' + "9" * 5000 + '"}}', "(5,000 characters), out of range"),
    ],
)
def test_numbers_out_of_any_range_get_the_range_error(cli, text, shown):
    assert_one_clear_line(assess(cli, text), "answer to 'age'", shown, "from 5 to 100")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"answers": {"age": ' + "9" * 5000 + "}}", "standard input:"),
        ("answers: {age: " + "9" * 5000 + "}", "standard input: refused YAML at line 1"),
    ],
)
def test_a_5000_digit_number_is_refused_not_a_traceback(cli, text, where):
    """Python refuses to turn more than 4,300 digits into an int (ValueError)."""
    assert_one_clear_line(assess(cli, text), where, "a number of 5,000 digits")


def test_numbers_beyond_any_float_from_python_are_out_of_range(kb):
    for number in (10**400, -(10**400), 10**5000):
        with pytest.raises(InputError, match=r"answer to 'age' is a .*number.*out of range") as e:
            parse_answers(kb, {"age": number})
        assert len(str(e.value)) < MESSAGE_BOUND


# --- nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        nested(5000),
        '{"answers": {"location": ' + nested(5000, '"x"') + "}}",
        '{"answers": {"location": ' + nested(900, '"x"') + "}}",  # below the parser's limit
        "answers: " + nested(5000),
        "answers:\n" + "".join("  " * i + "a:\n" for i in range(1, 500)),
        "answers:\n" + "".join("  " * i + "-\n" for i in range(1, 500)),
    ],
    ids=["json", "json-under-answers", "json-900", "yaml-flow", "yaml-block-map", "yaml-list"],
)
def test_nesting_thousands_deep_is_one_clear_line(cli, text):
    assert_one_clear_line(assess(cli, text), f"nested more than {MAX_DEPTH} levels deep")


def test_plan_refuses_deep_answers_the_same_way(cli, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text('{"answers": ' + nested(5000) + "}")
    out = cli("plan", "--answers", str(path))
    assert_one_clear_line(out, f"{path}: nested more than {MAX_DEPTH} levels deep")


def test_eval_refuses_a_deep_case_line_the_same_way(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "answers": ' + nested(5000) + "}\n")
    assert_one_clear_line(cli("eval", str(path)), f"{path}, line 1: nested more than")


# --- YAML aliases ----------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
answers: {location: *h}
"""


def test_a_yaml_alias_bomb_is_refused_at_the_first_alias(cli, tmp_path):
    """~390 bytes that safe_load would expand to 9**8 strings (gigabytes)."""
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    assert path.stat().st_size < 400
    out = cli("assess", "--no-store", "--no-history", "--answers", str(path))
    assert_one_clear_line(
        out, f"{path}: refused YAML at line 2, column 8", "aliases (*name) are not allowed"
    )


def test_even_one_alias_is_refused_but_an_anchor_alone_is_fine(cli):
    one = "where: &w [outer_hip]\nanswers: {location: *w}\n"
    assert_one_clear_line(assess(cli, one), "aliases (*name) are not allowed")
    anchored = "answers: {location: &w [outer_hip], onset: gradual}\n"
    assert assess(cli, anchored).exit_code == 0


def test_a_yaml_file_with_too_many_values_is_refused(cli):
    text = "answers: [" + ",".join(["1"] * (MAX_YAML_NODES + 5)) + "]"
    assert_one_clear_line(assess(cli, text), f"more than {MAX_YAML_NODES:,} values")


def test_a_yaml_value_python_cannot_build_is_one_line(cli):
    assert_one_clear_line(
        assess(cli, "answers: {age: 2024-13-45}"), "a value cannot be read", "month"
    )


# --- size ------------------------------------------------------------------------------


def test_an_answers_file_over_1_mb_is_refused(cli, tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"answers": {"onset": "' + "x" * MAX_INPUT_BYTES + '"}}')
    out = cli("assess", "--no-store", "--no-history", "--answers", str(path))
    assert_one_clear_line(out, f"{path} is larger than 1 MB")


def test_standard_input_over_1_mb_is_refused(cli):
    out = assess(cli, " " * (MAX_INPUT_BYTES + 1))
    assert_one_clear_line(out, "standard input is larger than 1 MB")


def test_an_endless_file_is_refused_not_read_to_the_end(cli):
    out = cli("assess", "--no-store", "--no-history", "--answers", "/dev/zero")
    assert_one_clear_line(out, "/dev/zero is larger than 1 MB")


def test_binary_standard_input_is_one_line(cli):
    runner_input: Any = b"\xff\xfe{}"
    assert_one_clear_line(assess(cli, runner_input), "not a text file")


# --- echo ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"onset": "x" * 900_000}, "'" + "x" * ECHO_CHARS + "'… (900,000 characters)"),
        ({"location": ["outer_hip", "y" * 500_000]}, "… (500,000 characters)"),
        ({"location": [[1]] * 100_000}, "[[1], [1], [1], [1], …] (100,000 items)"),
        ({"z" * 900_000: 1}, "unknown question id 'zzzz"),
        ({"walking_pain": {"a": "b" * 900_000}}, "{'a': 'bbbbb"),
    ],
)
def test_a_huge_bad_value_is_quoted_shortened(cli, answers, shown):
    """A 900 kB answer used to be printed whole to stderr."""
    out = assess(cli, json.dumps({"answers": answers}))
    assert_one_clear_line(out, shown)


LONG = "z" * 20_000


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--goal", LONG),
        ("load", "--as-of", LONG),
        ("diary", "add", "--pain", "3", "--where", LONG, "--when", "after"),
        ("diary", "add", "--pain", "3", "--where", "outer_hip", "--when", LONG),
        ("diary", "add", "--pain", LONG, "--where", "outer_hip", "--when", "after"),
        ("diary", "add", "--pain", "3", "--where", "outer_hip", "--when", "after", "--date", LONG),
    ],
    ids=["goal", "as-of", "where", "when", "pain", "date"],
)
def test_a_long_bad_option_is_quoted_shortened(cli, args):
    assert_one_clear_line(cli(*args), "(20,000 characters)")


def test_shorten_quotes_the_head_and_says_how_long():
    assert shorten("abc") == "'abc'"
    assert shorten("x" * 10_000_000) == f"'{'x' * ECHO_CHARS}'… (10,000,000 characters)"
    assert shorten(12) == "12" and shorten(None) == "None" and shorten(1.5) == "1.5"
    assert shorten(10**400) == "a 401-digit number"
    assert shorten(-(10**400)) == "a 401-digit negative number"
    assert shorten(10**5000).startswith("a number of about 5,")  # past int→str's limit
    assert shorten(["a"] * 1000) == "['a', 'a', 'a', 'a', …] (1,000 items)"
    deep: Any = []
    for _ in range(100_000):  # far past the recursion limit: only the head is visited
        deep = [deep]
    assert shorten(deep) == "[[[…]]]"


# --- properties ------------------------------------------------------------------------

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=200),
)
json_like = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=30,
)
QUESTION_IDS = [q.id for q in load().questions]
answer_maps = st.dictionaries(
    st.one_of(st.sampled_from(QUESTION_IDS), st.text(max_size=50)), json_like, max_size=6
)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(answer_maps, json_like))
def test_the_parser_accepts_or_refuses_anything_clearly(kb, raw):
    try:
        parse_answers(kb, raw)
    except InputError as exc:
        assert len(str(exc)) < MESSAGE_BOUND


def deeply(depth: int, leaf: str, key: str) -> str:
    """``leaf`` inside ``depth`` alternating lists and objects, as text (json.dumps itself
    cannot write thousands of levels)."""
    opening = "".join("[" if i % 2 else f"{{{key} " for i in range(depth))
    return opening + leaf + "".join("]" if i % 2 else "}" for i in reversed(range(depth)))


def deep_json(depth: int, qid: str) -> str:
    inner = deeply(depth, '"x"', '"k":')
    return '{"answers": {"' + qid + '": ' + inner + "}}"


def deep_yaml(depth: int, qid: str) -> str:
    return "answers: {" + qid + ": " + deeply(depth, "x", "k:") + "}"  # YAML's flow style


cli_texts = st.one_of(
    answer_maps.map(lambda a: json.dumps({"answers": a})),
    answer_maps.map(lambda a: json.dumps(a)),
    st.text(max_size=300),
    st.builds(deep_json, st.integers(0, 3000), st.sampled_from(QUESTION_IDS)),
    st.builds(deep_yaml, st.integers(0, 3000), st.sampled_from(QUESTION_IDS)),
    st.builds(
        lambda digits, qid: f'{{"answers": {{"{qid}": {"9" * digits}}}}}',
        st.integers(1, 6000),
        st.sampled_from(QUESTION_IDS),
    ),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=cli_texts)
def test_assess_answers_from_stdin_exits_0_or_2_without_a_traceback(cli, text):
    out = assess(cli, text)
    assert out.exit_code in (0, 2), out.output
    assert "Traceback" not in out.output
    if out.exit_code == 2:
        assert out.stderr.startswith("Error: ") and len(out.stderr) < MESSAGE_BOUND
    assert len(out.stdout) < 20_000  # a result screen, never the input


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), cli_texts))
def test_decoding_any_text_gives_data_or_one_input_error(text):
    try:
        parse_json_or_yaml(text, "f")
    except InputError as exc:
        assert len(str(exc)) < MESSAGE_BOUND
    try:
        load_json(text, "f")
    except json.JSONDecodeError:
        pass
    except InputError as exc:
        assert len(str(exc)) < MESSAGE_BOUND
