"""Load the knowledge base from its YAML files and check that it hangs together.

Loading is split in two: ``read`` parses and validates every file and collects *all*
problems (so ``hipcoach kb check`` can list them at once, each with file and entry);
``load`` is what the engine uses and raises if anything is wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hipcoach.errors import KnowledgeBaseError
from hipcoach.kb.models import (
    Condition,
    Expr,
    Factor,
    Manifest,
    Question,
    Source,
    Triage,
    expr_findings,
)

try:  # libyaml is several times faster when present; fall back to pure Python
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)


def default_dir() -> Path:
    return Path(str(resources.files("hipcoach") / "knowledge"))


@dataclass(frozen=True)
class Finding:
    """A finding and where it comes from: the question that sets it and its base rate."""

    id: str
    question: str
    base_rate: float


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The whole validated knowledge base, indexed. Hashable by identity (for caches)."""

    version: str
    manifest: Manifest
    sources: dict[str, Source]
    questions: list[Question]
    conditions: list[Condition]
    triage: Triage
    factors: list[Factor]
    findings: dict[str, Finding] = field(default_factory=dict)
    question_by_id: dict[str, Question] = field(default_factory=dict)
    condition_by_id: dict[str, Condition] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")


def _read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.add(path.name, f"cannot read ({exc.strerror})")
        return None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(path.name, f"not valid YAML{at}: {getattr(exc, 'problem', exc)}")
        return None
    if data is None:
        problems.add(path.name, "file is empty")
    return data


def _entry_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into "entry 'id' → field.path" for humans."""
    node = raw
    label = ""
    path: list[str] = []
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict) and "id" in node and not label:
                label = f"entry {node['id']!r}"
                path = []
                continue
            path.append(f"[{part}]")
        elif isinstance(node, dict) and part in node:
            node = node[part]
            path.append(f".{part}" if path else str(part))
        else:
            path.append(f".{part}" if path else str(part))
    dotted = "".join(path).lstrip(".")
    return " → ".join(x for x in (label, dotted) if x) or "top level"


def _parse(model: type[M], raw: Any, file: str, problems: _Problems, prefix: str = "") -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = _entry_name(raw, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            problems.add(f"{file}: {prefix}{where}", msg)
        return None


def _parse_list(model: type[M], raw: Any, key: str, file: str, problems: _Problems) -> list[M]:
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        problems.add(file, f"expected a top-level `{key}:` list")
        return []
    out = []
    for item in raw[key]:
        name = f"entry {item.get('id')!r} → " if isinstance(item, dict) and "id" in item else ""
        parsed = _parse(model, item, file, problems, prefix=name)
        if parsed is not None:
            out.append(parsed)
    return out


def read(directory: Path | None = None) -> tuple[KnowledgeBase | None, list[str]]:
    """Parse and cross-check the knowledge base; return it (if usable) and all problems."""
    d = directory or default_dir()
    p = _Problems()
    manifest = _parse(Manifest, _read_yaml(d / "kb.yaml", p), "kb.yaml", p)
    srcs = _parse_list(Source, _read_yaml(d / "sources.yaml", p), "sources", "sources.yaml", p)
    questions = _parse_list(
        Question, _read_yaml(d / "questions.yaml", p), "questions", "questions.yaml", p
    )
    triage = _parse(Triage, _read_yaml(d / "triage.yaml", p), "triage.yaml", p)
    factors = _parse_list(Factor, _read_yaml(d / "factors.yaml", p), "factors", "factors.yaml", p)
    conditions: list[Condition] = []
    cond_files = sorted((d / "conditions").glob("*.yaml"))
    if not cond_files:
        p.add("conditions/", "no condition files found")
    for path in cond_files:
        raw = _read_yaml(path, p)
        if raw is None:
            continue
        name = f"conditions/{path.name}"
        cond = _parse(Condition, raw, name, p)
        if cond is not None:
            if cond.id != path.stem:
                p.add(name, f"id {cond.id!r} does not match the file name {path.stem!r}")
            conditions.append(cond)
    if manifest is None or triage is None or p.items:
        return None, p.items
    kb = KnowledgeBase(
        version=manifest.version,
        manifest=manifest,
        sources={s.id: s for s in srcs},
        questions=questions,
        conditions=conditions,
        triage=triage,
        factors=factors,
    )
    _index(kb, p)
    _cross_check(kb, p)
    return (None if p.items else kb), p.items


def _index(kb: KnowledgeBase, p: _Problems) -> None:
    seen_src: set[str] = set()
    for s in kb.sources.values():
        if s.id in seen_src:
            p.add("sources.yaml", f"source id {s.id!r} appears twice")
        seen_src.add(s.id)
    for q in kb.questions:
        if q.id in kb.question_by_id:
            p.add("questions.yaml", f"question id {q.id!r} appears twice")
        kb.question_by_id[q.id] = q
        for fid, rate in _question_rates(q):
            if fid in kb.findings:
                other = kb.findings[fid].question
                p.add(
                    f"questions.yaml: entry {q.id!r}", f"finding {fid!r} is also set by {other!r}"
                )
            kb.findings[fid] = Finding(fid, q.id, rate)
    for c in kb.conditions:
        if c.id in kb.condition_by_id:
            p.add(f"conditions/{c.id}.yaml", f"condition id {c.id!r} appears twice")
        kb.condition_by_id[c.id] = c


def _question_rates(q: Question) -> Iterable[tuple[str, float]]:
    if q.type == "yes_no":
        assert q.finding and q.base_rate
        yield q.finding, q.base_rate.value
    for c in q.choices:
        if c.finding and c.base_rate:
            yield c.finding, c.base_rate.value
    for b in q.bands:
        yield b.finding, b.base_rate.value


def _sources_in(obj: Any) -> Iterable[str]:
    """Every source id cited anywhere inside a parsed model."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            if name in ("source", "sources") and isinstance(value, list):
                yield from value
            else:
                yield from _sources_in(value)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _sources_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _sources_in(v)


def _cross_check(kb: KnowledgeBase, p: _Problems) -> None:
    def check_expr(expr: Expr | None, where: str) -> None:
        if expr is None:
            return
        for fid in sorted(expr_findings(expr) - kb.findings.keys()):
            p.add(where, f"unknown finding {fid!r}")

    def check_sources(obj: Any, where: str) -> None:
        for sid in sorted(set(_sources_in(obj)) - kb.sources.keys()):
            p.add(where, f"cites unknown source {sid!r} (add it to sources.yaml)")

    for q in kb.questions:
        where = f"questions.yaml: entry {q.id!r}"
        check_expr(q.ask_when, f"{where} → ask_when")
        if q.gate:
            check_expr(q.gate.requires, f"{where} → gate")
        check_sources(q, where)
    for n, net in enumerate(kb.triage.safety_net):
        if not isinstance(net, str):
            for part in net.parts:
                for fid in sorted(set(part.unless) - kb.findings.keys()):
                    p.add(f"triage.yaml: safety_net[{n}]", f"unknown finding {fid!r}")
    for rf in kb.triage.red_flags:
        where = f"triage.yaml: red flag {rf.id!r}"
        check_expr(rf.when, where)
        for cid in rf.suggests:
            if cid not in kb.condition_by_id:
                p.add(where, f"suggests unknown condition {cid!r}")
    check_expr(kb.triage.self_care.requires, "triage.yaml: self_care.requires")
    check_sources(kb.triage, "triage.yaml")
    for f in kb.factors:
        check_expr(f.when, f"factors.yaml: entry {f.id!r}")
        if f.history_finding:
            check_expr(f.history_finding, f"factors.yaml: entry {f.id!r} → history_finding")
        check_sources(f, f"factors.yaml: entry {f.id!r}")
    check_sources(kb.manifest, "kb.yaml")
    for c in kb.conditions:
        where = f"conditions/{c.id}.yaml"
        for fid in sorted(c.findings.keys() - kb.findings.keys()):
            p.add(f"{where}: findings → {fid}", "unknown finding (not set by any question)")
        for fid, lk in c.findings.items():
            if lk.with_ in (0.0, 1.0):
                p.add(
                    f"{where}: findings → {fid}",
                    "probability 0 or 1 would veto every answer; use e.g. 0.01 or 0.99",
                )
            if lk.without in (0.0, 1.0):
                p.add(
                    f"{where}: findings → {fid}",
                    "`without` of 0 or 1 is not allowed; use e.g. 0.01 or 0.99",
                )
        check_sources(c, where)


@functools.cache
def load(directory: Path | None = None) -> KnowledgeBase:
    """The validated knowledge base (cached per process). Raises KnowledgeBaseError."""
    kb, problems = read(directory)
    if kb is None:
        raise KnowledgeBaseError(problems)
    return kb
