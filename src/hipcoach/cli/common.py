"""Shared CLI plumbing: the console, error handling, and reading input files."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from hipcoach.errors import HipcoachError, InputError

P = ParamSpec("P")
R = TypeVar("R")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def cli_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a HipcoachError into one clear line on stderr and its exit status, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except HipcoachError as exc:
            err_console.print(f"[bold red]Error:[/] {exc}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def read_text(path: str) -> tuple[str, str]:
    """Contents of ``path`` (``-`` = standard input) and a name for messages."""
    if path == "-":
        return sys.stdin.read(), "standard input"
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a JSON or YAML file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (expected UTF-8 JSON or YAML)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def parse_json_or_yaml(text: str, name: str) -> Any:
    """JSON first (exact line/column in errors), then YAML; both must be non-empty."""
    if not text.strip():
        raise InputError(f'{name} is empty; expected {{"answers": {{question_id: value}}}}')
    try:
        return json.loads(text)
    except json.JSONDecodeError as jexc:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            raise InputError(
                f"{name}: malformed JSON at line {jexc.lineno}, column {jexc.colno}: {jexc.msg}"
            ) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as yexc:
        mark = getattr(yexc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(yexc, "problem", None) or "invalid syntax"
        raise InputError(f"{name}: malformed YAML{at}: {problem}") from None
