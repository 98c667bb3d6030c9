"""Shared CLI plumbing: the console, error handling, and reading input files."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from hipcoach.errors import HipcoachError, InputError, clip

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


DATA_DIR_HELP = "Where hipcoach keeps your data (default: your platform's user data folder)."
_DATA_DIR_PARAM = "data_dir_after_command"  # a name no command uses for its own options

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", metavar="DIR", help=DATA_DIR_HELP, show_default=False)
]


def use_data_dir(folder: Path | None) -> None:
    """Point this run at ``folder``: storage reads ``HIPCOACH_DATA_DIR`` when it opens."""
    if folder is not None:
        os.environ["HIPCOACH_DATA_DIR"] = str(folder)


def _accepting_data_dir(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with a ``--data-dir`` option of its own, applied before ``fn`` runs."""
    signature = inspect.signature(fn, eval_str=True)
    if any(p.name == _DATA_DIR_PARAM for p in signature.parameters.values()):
        return fn
    extra = inspect.Parameter(
        _DATA_DIR_PARAM, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DataDirOption
    )

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        use_data_dir(kwargs.pop(_DATA_DIR_PARAM, None))
        return fn(*args, **kwargs)

    params = list(signature.parameters.values())
    wrapper.__signature__ = signature.replace(parameters=[*params, extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {
        **{p.name: p.annotation for p in params if p.annotation is not p.empty},
        _DATA_DIR_PARAM: DataDirOption,
    }
    return wrapper


def data_dir_on_every_command(app: typer.Typer) -> None:
    """Let ``--data-dir DIR`` come after any command too (``hipcoach import --data-dir X f``).

    The README promises that every command takes it; Click only accepts an option of the
    group before the command's name, so each command (sub-apps included) gets its own copy.
    Call once, after every command is registered.
    """
    for command in app.registered_commands:
        if command.callback is not None:
            command.callback = _accepting_data_dir(command.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            data_dir_on_every_command(group.typer_instance)


MAX_INPUT_BYTES = 1_000_000  # answers and plan files are a few kB; more is the wrong file
MAX_YAML_NODES = 10_000  # YAML is parsed in pure Python: this bounds its time to about 1 s


def read_text(path: str) -> tuple[str, str]:
    """Contents of ``path`` (``-`` = standard input) and a name for messages.

    At most :data:`MAX_INPUT_BYTES` are read, so a huge file or an endless pipe is refused
    instead of filling the memory.
    """
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(MAX_INPUT_BYTES + 1) if stream is not None else None
        if data is None:  # a text-only stdin (rare): characters, not bytes
            text = sys.stdin.read(MAX_INPUT_BYTES + 1)
            data = text.encode("utf-8", "surrogatepass")
        return _decode(data, "standard input"), "standard input"
    shown = clip(path)
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder, expected a JSON or YAML file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror})") from None
    return _decode(data, shown), shown


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_INPUT_BYTES // 1_000_000} MB; answers and plan files "
            "are a few kB: is it the right file?"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text file (expected UTF-8 JSON or YAML)") from None


def parse_json_or_yaml(text: str, name: str) -> Any:
    """JSON first (exact line/column in errors), then YAML; both must be non-empty.

    Hostile input gets one clear InputError, like any other mistake: nesting deeper than
    :data:`~hipcoach.assess.answers.MAX_DEPTH`, numbers longer than
    :data:`~hipcoach.assess.answers.MAX_NUMBER_DIGITS` digits, and in YAML
    aliases (``*name``, which can multiply a few bytes into gigabytes) and more than
    :data:`MAX_YAML_NODES` values.
    """
    if not text.strip():
        raise InputError(f'{name} is empty; expected {{"answers": {{question_id: value}}}}')
    from hipcoach.assess.answers import load_json

    try:
        return load_json(text, name)
    except json.JSONDecodeError as jexc:
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            raise InputError(
                f"{name}: malformed JSON at line {jexc.lineno}, column {jexc.colno}: {jexc.msg}"
            ) from None
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_answers_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as yexc:
        mark = yexc.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = yexc.problem or "invalid syntax"
        kind = "refused" if getattr(yexc, "refused", False) else "malformed"
        raise InputError(f"{name}: {kind} YAML{at}: {problem}") from None
    except yaml.YAMLError:
        raise InputError(f"{name}: malformed YAML") from None
    except (ValueError, OverflowError) as exc:  # e.g. a date like 2024-13-45
        raise InputError(f"{name}: a value cannot be read ({clip(str(exc), 100)})") from None


@functools.cache
def _answers_loader() -> type:
    """yaml.SafeLoader that refuses aliases, deep nesting, too many values and numbers too
    long to be an answer, each with the line and column where it happens.

    Built on first use so ``import yaml`` stays out of commands that never read a file.
    """
    import yaml

    from hipcoach.assess.answers import MAX_DEPTH, MAX_NUMBER_DIGITS, too_long_number

    def refuse(problem: str, mark: Any) -> yaml.MarkedYAMLError:
        error = yaml.MarkedYAMLError(problem=problem, problem_mark=mark)
        error.refused = True  # type: ignore[attr-defined]
        return error

    class Loader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.depth = 0
            self.nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            mark = event.start_mark
            if isinstance(event, yaml.AliasEvent):
                raise refuse("aliases (*name) are not allowed in hipcoach's files", mark)
            self.nodes += 1
            if self.nodes > MAX_YAML_NODES:
                raise refuse(f"more than {MAX_YAML_NODES:,} values", mark)
            if self.depth >= MAX_DEPTH:
                raise refuse(f"nested more than {MAX_DEPTH} levels deep", mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_yaml_int(self, node: Any) -> Any:
            digits = sum(c.isdigit() for c in str(node.value))
            if digits > MAX_NUMBER_DIGITS:
                raise refuse(too_long_number(digits), node.start_mark)
            return super().construct_yaml_int(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    return Loader
