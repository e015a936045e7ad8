"""Schemathesis against the partner API in-process (WSGI), with a valid token and without one.

Bounded and deterministic so the suite stays quick: 25 examples per operation, derandomised.
Checks: no server error, and every response conforms to the OpenAPI document (status code,
content type, body schema, headers). The operations are driven through Hypothesis directly
rather than schemathesis' pytest plugin, whose ``from_fixture`` breaks on pytest 9: this way
the shared pytest need not be pinned back.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from .conftest import make_token

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a WSGI request must not close the test's database connection
    (on PostgreSQL that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} == {
        "GET /api/referrals/", "POST /api/referrals/", "GET /api/referrals/{api_referral_id}/"}
    return operations


def _fuzz(operation, headers, examples, seen):
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=headers)
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    run()


def test_the_partner_api_keeps_to_its_schema(db, settings):
    settings.HEARTH_API_TOKEN_RATE = "10000/min"
    headers = {"Authorization": f"Bearer {make_token().raw}"}
    seen: set[int] = set()
    for operation in _operations():
        _fuzz(operation, headers, 25, seen)
    # The fuzzing reached real answers, not only refusals.
    assert 200 in seen and 400 in seen


def test_without_a_token_every_operation_refuses_in_schema(db, settings):
    settings.HEARTH_API_ANON_RATE = "10000/min"
    seen: set[int] = set()
    for operation in _operations():
        _fuzz(operation, {}, 5, seen)
    assert seen == {401}
