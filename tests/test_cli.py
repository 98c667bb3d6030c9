"""The command line, as a runner or a script would use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GTPS = {
    "answers": {
        "age": 50,
        "sex": "female",
        "location": ["outer_hip"],
        "lying_side_pain": True,
        "trochanter_tender": True,
    }
}


def test_questions_json_lists_ids_types_and_choices(cli, kb):
    out = cli("questions", "--json")
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    ids = [q["id"] for q in data["questions"]]
    assert ids == [q.id for q in kb.questions]
    onset = next(q for q in data["questions"] if q["id"] == "onset")
    assert onset["type"] == "choice"
    assert [c["id"] for c in onset["choices"]] == ["sudden", "gradual"]
    hop = next(q for q in data["questions"] if q["id"] == "hop_test")
    assert "gate" in hop


def test_questions_table(cli):
    out = cli("questions")
    assert out.exit_code == 0
    assert "cannot_bear_weight" in out.stdout


def test_assess_answers_file_json(cli, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(GTPS))
    out = cli("assess", "--answers", str(path), "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["conditions"][0]["id"] == "gtps"
    assert d["urgency"]["level"] in ("soon", "urgent", "emergency")
    assert "not a doctor" in d["disclaimer"]


def test_assess_answers_yaml_from_stdin(cli):
    text = "answers:\n  cannot_bear_weight: yes\n  age: 30\n"
    out = cli("assess", "--answers", "-", "--json", input=text)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["urgency"]["level"] == "emergency"


def test_assess_bare_mapping_is_accepted(cli):
    out = cli("assess", "--answers", "-", "--json", input='{"fever": true, "hot_swollen": true}')
    assert json.loads(out.stdout)["urgency"]["level"] == "emergency"


def test_assess_result_screen_puts_urgency_first(cli, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(GTPS))
    out = cli("assess", "--answers", str(path))
    assert out.exit_code == 0
    text = out.stdout
    assert text.index("How urgent") < text.index("Likely causes") < text.index("What to do now")
    assert "not a doctor" in text


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "standard input is empty"),
        ("{not json", "malformed JSON at line 1, column 2"),
        ("answers: [unclosed", "malformed YAML"),
        ('{"answers": {"fevr": true}}', "unknown question id 'fevr'"),
        ('{"answers": {"age": "old"}}', "answer to 'age' is 'old'"),
        ('{"answers": {"onset": 3}}', "answer to 'onset' is 3"),
        ("[1, 2]", "answers must be an object"),
    ],
)
def test_bad_answers_exit_2_with_one_clear_message(cli, stdin, message):
    out = cli("assess", "--answers", "-", "--json", input=stdin)
    assert out.exit_code == 2
    assert message in out.stderr
    assert "Traceback" not in out.output
    assert out.stdout == ""


def test_missing_answers_file(cli, tmp_path):
    out = cli("assess", "--answers", str(tmp_path / "nope.json"))
    assert out.exit_code == 2
    assert "no such file" in out.stderr


def test_interactive_emergency_stops_at_once(cli):
    # age, sex (2 = male), then "unable to bear weight?" yes
    out = cli("assess", input="40\n2\ny\n")
    assert out.exit_code == 0, out.output
    assert "Question 3" in out.stdout
    assert "Question 4" not in out.stdout
    assert "Emergency" in out.stdout


def test_interactive_retries_bad_input_and_allows_dont_know(cli):
    out = cli("assess", input="abc\n40\n?\n" + "?\n" * 120)
    assert out.exit_code == 0, out.output
    assert "Please type a number from 5 to 100" in out.stdout
    assert "Question 2" in out.stdout
    assert "Likely causes" in out.stdout


def test_interactive_dont_know_to_the_warning_signs_asks_again_and_says_so(cli):
    from hipcoach.kb.load import load

    out = cli("assess", input="?\n" * 200)
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    prompt = " ".join(load().triage.recheck_prompt.split())
    assert text.count(prompt) >= 3
    assert "Warning signs not checked" in text
    assert text.index("Warning signs not checked") < text.index("Likely causes")


def test_interactive_back_and_quit(cli, tmp_path):
    saved = tmp_path / "answers.json"
    out = cli("assess", "--save", str(saved), input="40\nb\n41\n1\nq\n")
    assert out.exit_code == 0, out.output
    answers = json.loads(saved.read_text())["answers"]
    assert answers == {"age": 41.0, "sex": "female"}
    assert "How urgent" in out.stdout


def test_interactive_end_of_input_shows_the_result_so_far(cli):
    out = cli("assess", input="40\n")
    assert out.exit_code == 0
    assert "How urgent" in out.stdout


def test_saved_answers_reproduce_the_result(cli, tmp_path):
    saved = tmp_path / "answers.json"
    out = cli("assess", "--save", str(saved), input="35\n1\nn\nn\n" + "n\n" * 60)
    assert out.exit_code == 0
    again = json.loads(cli("assess", "--answers", str(saved), "--json").stdout)
    assert again["urgency"]["title"] in out.stdout
    assert again["answered"] == len(json.loads(saved.read_text())["answers"])


def test_eval_reports_metrics(cli, tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        {
            "id": "a",
            "answers": GTPS["answers"],
            "expected": {"condition": "gtps", "urgency": "soon"},
        },
        {
            "id": "b",
            "answers": {"fever": True, "hot_swollen": True},
            "expected": {"urgency": "emergency"},
        },
    ]
    cases.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = cli("eval", str(cases), "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["cases"] == 2
    assert d["top1"] == 1.0 and d["top3"] == 1.0
    assert d["urgency"]["under"] == 0.0
    assert d["urgency"]["cases"] == 2


def test_eval_under_triage_fails_and_is_named(cli, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x", "answers": {}, "expected": {"urgency": "emergency"}}))
    out = cli("eval", str(cases))
    assert out.exit_code == 1
    assert "UNDER-TRIAGED" in out.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{bad", "line 1: malformed JSON"),
        ('{"id": "x", "answers": {"nope": 1}}', "line 1 (case 'x'): unknown question id 'nope'"),
        ('{"id": "x", "expected": {"urgency": "later"}}', "expected.urgency is 'later'"),
        ('{"id": "x", "expected": {"condition": "flu"}}', "unknown condition 'flu'"),
    ],
)
def test_eval_bad_cases_file(cli, tmp_path, line, message):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(line + "\n")
    out = cli("eval", str(cases))
    assert out.exit_code == 2
    assert message in out.stderr


def test_real_console_script_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "hipcoach", "assess", "--answers", "-", "--json"],
        input='{"answers": {"saddle_bladder": true}}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["urgency"]["level"] == "emergency"


def test_serve_on_a_busy_port_says_so_in_one_line(cli):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = cli("serve", "--port", str(port))
    assert out.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out.output and "--port" in out.output
    assert "Traceback" not in out.output
