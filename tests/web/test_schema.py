"""Schemathesis against the app's own OpenAPI schema, in process (ASGI): every operation,
with valid and invalid inputs generated from the schema, answers without a server error
and, where it documents its response, in the documented shape.

Deterministic (derandomized Hypothesis, a fixed number of examples) so CI is reproducible;
the run starts on a fresh, empty data folder (the autouse fixture in tests/conftest.py),
shared by the operations, so later ones also meet what earlier ones stored. A wider random
search can be run by hand::

    SCHEMATHESIS_EXAMPLES=1000 SCHEMATHESIS_RANDOM=1 \
        .venv/bin/python -m pytest tests/web/test_schema.py
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hipcoach.web.api import create_app

schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json", create_app(allowed_hosts={"testserver"})
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("SCHEMATHESIS_RANDOM"),
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
