"""The command line as a runner meets it from a fresh clone: options where the README puts
them, one activity per ride whatever its format, numbers as a person reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "args",
    [
        ["import", "--data-dir", "{dir}", str(DATA / "gpx")],
        ["activities", "--data-dir", "{dir}", "--csv"],
        ["load", "--data-dir", "{dir}"],
        ["plan", "--goal", "10k", "--weekly", "20", "--data-dir", "{dir}"],
        ["kb", "check", "--data-dir", "{dir}"],
        ["diary", "list", "--data-dir", "{dir}"],
        ["export", "data", "--data-dir", "{dir}", "{dir}/out"],
    ],
)
def test_data_dir_is_accepted_after_the_command(cli, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "mine"
    result = cli(*[a.replace("{dir}", str(folder)) for a in args])
    assert result.exit_code == 0, result.output
    assert "No such option" not in result.output


def test_data_dir_after_the_command_is_where_the_import_lands(cli, tmp_path: Path) -> None:
    folder = tmp_path / "after"
    cli("import", "--data-dir", str(folder), str(DATA / "gpx"))
    before = cli("--data-dir", str(folder), "activities", "--csv").output
    after = cli("activities", "--csv", "--data-dir", str(folder)).output
    assert before == after
    assert len(after.splitlines()) > 1


def test_one_ride_in_three_formats_is_one_activity_with_its_own_original(
    cli, tmp_path: Path
) -> None:
    """FIT 113 s / 0.67 km, GPX 126 s / 0.90 km (summed GPS points), TCX 126 s / 0.67 km."""
    files = [
        DATA / "fit" / "2020-06-01-16-52-40.fit",
        DATA / "gpx" / "activity_5039744860.gpx",
        DATA / "tcx" / "activity_5039744860.tcx",
    ]
    imported = cli("import", *map(str, files))
    assert imported.exit_code == 0, imported.output
    assert "already there (duplicates)" in imported.output
    rows = cli("activities", "--json").output
    import json

    activities = json.loads(rows)
    assert len(activities) == 1
    kept = activities[0]
    suffix = {"fit": ".fit", "gpx": ".gpx", "tcx": ".tcx"}[kept["source_format"]]
    assert kept["original_name"].endswith(suffix)
    assert kept["original_copy"].endswith(suffix + ".gz")
    dups = [line for line in imported.output.splitlines() if "already there (duplicates)" in line]
    assert dups and dups[0].split("│")[-2].strip() == "2"


def test_eval_failures_read_as_sentences(cli, tmp_path: Path) -> None:
    import json

    case = json.loads(
        (Path(__file__).parent / "cases" / "conditions.jsonl").read_text().split("\n")[0]
    )
    case["id"] = "wrong-1"
    case["expected"] = {"condition": "gtps", "urgency": "self_care"}
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n")
    out = " ".join(cli("eval", str(cases)).output.split())
    assert "case wrong-1: expected gtps (self care), got femoral_neck_stress_fracture" in out
    assert "(urgent) — condition not in top 3; over-triaged" in out
    assert "{" not in out and "[" not in out


def test_plan_right_now_says_each_thing_once(cli) -> None:
    examples = Path(__file__).parents[1] / "examples"
    out = cli("plan", "--answers", str(examples / "groin-marathoner.yaml")).output
    right_now = " ".join(out.split("Right now", 1)[1].split())
    assert right_now.count("use crutches and keep weight off") == 1
    assert right_now.count("jump on the painful leg") == 1
    assert "Use crutches if walking hurts. Get a same-day appointment" not in right_now


def test_a_race_beyond_the_ten_percent_rule_is_said_plainly(cli) -> None:
    out = " ".join(cli("plan", "--goal", "half", "--weeks", "12", "--weekly", "20").output.split())
    assert "21.1 km (race)" in out
    assert "Race day is the one run allowed beyond the 10% rule" in out
    assert "the race 21.1 km (+32%)" in out


def test_ical_at_and_all_day(cli, tmp_path: Path) -> None:
    examples = Path(__file__).parents[1] / "examples"
    assert cli("plan", "--answers", str(examples / "lateral-hip.json")).exit_code == 0
    timed, whole = tmp_path / "at.ics", tmp_path / "all.ics"
    assert cli("export", "ical", str(timed), "--at", "07:30").exit_code == 0
    assert "T073000" in timed.read_text()
    assert cli("export", "ical", str(whole), "--all-day").exit_code == 0
    assert "DTSTART;VALUE=DATE:" in whole.read_text()
    bad = cli("export", "ical", str(timed), "--at", "7h")
    assert bad.exit_code != 0 and "--at '7h' is not a time of day; use HH:MM" in bad.output


def test_diary_form_says_what_it_did_to_the_programme(home_dir) -> None:
    from fastapi.testclient import TestClient

    from hipcoach.diary import programme_move
    from hipcoach.web.api import create_app

    client = TestClient(create_app(allowed_hosts=["testserver"]))
    form = {"pain": "2", "where": "outer_hip", "when": "rest", "date": "2025-02-21"}
    r = client.post("/training/diary", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = " ".join(client.get(r.headers["location"]).text.split())
    assert "Recorded pain 2/10 on 2025-02-21." in page
    import html

    assert html.escape(programme_move(None, "rest")) in page
    forged = client.get(r.headers["location"] + "&moved=launch_rockets").text
    assert "launch" not in forged.split("Recorded pain", 1)[1][:400]


def test_activities_csv_is_rounded_as_a_person_reads_it(cli) -> None:
    import csv
    import io

    cli("import", str(DATA / "fit" / "2020-06-01-16-52-40.fit"))
    row = next(csv.DictReader(io.StringIO(cli("activities", "--csv").output)))
    assert row["distance_km"] == "0.67"
    assert (row["moving_time_s"], row["elapsed_time_s"]) == ("94", "113")
    assert (row["avg_hr"], row["max_hr"], row["avg_cadence_spm"]) == ("150", "156", "87")


def test_plan_reasons_name_conditions_not_ids(cli) -> None:
    examples = Path(__file__).parents[1] / "examples"
    out = " ".join(
        cli("plan", "--answers", str(examples / "lateral-hip.json"), "--json").output.split()
    )
    assert "not for Gluteal tendinopathy / trochanteric bursitis" in out
    assert "not for gtps" not in out


def test_build_up_refusal_in_the_runners_units_and_source(cli) -> None:
    out = cli("plan", "--goal", "half", "--weeks", "3", "--weekly", "10", "--units", "mi")
    text = " ".join(out.output.split())
    assert out.exit_code != 0
    assert "13.1 mi in 3 weeks from 10.0 mi a week (as you gave it) is too fast" in text
    assert "21.0975" not in text
    cli("import", str(DATA / "tcx" / "2020-12-02T06_08_29-300_Running.tcx.gz"))
    text = " ".join(cli("plan", "--goal", "marathon", "--weeks", "3").output.split())
    # The imported run is years old: no recent running to build from, and it says when.
    assert "a build-up to 42.2 km starts from the running you do now" in text
    assert "your last recorded run was on 02 Dec 2020" in text
    assert "0.0 km a week" not in text
