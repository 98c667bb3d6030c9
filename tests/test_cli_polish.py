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
