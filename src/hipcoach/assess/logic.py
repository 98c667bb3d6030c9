"""Three-valued evaluation of knowledge-base expressions over findings.

A finding is present (True), absent (False) or unknown (missing). Rules must never
treat "unknown" as "fine": an expression is True only when the known findings prove
it, False only when they disprove it, and None otherwise (Kleene logic).
"""

from __future__ import annotations

from collections.abc import Mapping

from hipcoach.kb.models import Expr

Findings = Mapping[str, bool]


def evaluate(expr: Expr, findings: Findings) -> bool | None:
    if isinstance(expr, str):
        return findings.get(expr)
    ((op, arg),) = expr.items()
    if op == "present":
        return findings.get(arg)
    if op == "absent":
        value = findings.get(arg)
        return None if value is None else not value
    if op == "not":
        inner = evaluate(arg, findings)
        return None if inner is None else not inner
    results = [evaluate(item, findings) for item in arg]
    if op == "all":
        if False in results:
            return False
        return None if None in results else True
    if op == "any":
        if True in results:
            return True
        return None if None in results else False
    raise ValueError(f"unknown operator {op!r}")  # models.validate_expr prevents this


def supporting(expr: Expr, findings: Findings) -> list[str]:
    """The known findings that an expression that evaluated True rests on, for explanations."""
    if isinstance(expr, str):
        return [expr] if findings.get(expr) is True else []
    ((op, arg),) = expr.items()
    if op in ("present", "absent"):
        return [arg] if evaluate(expr, findings) else []
    if op == "not":
        return []
    out: list[str] = []
    for item in arg:
        if evaluate(item, findings):
            out.extend(f for f in supporting(item, findings) if f not in out)
    return out
