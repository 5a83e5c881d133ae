"""Property-based API testing (schemathesis over the OpenAPI schema): no 500s, ever.

Every generated request to every GET endpoint must get a response that is not
a server error; error responses keep the one error shape. (Hypothesis drives
schemathesis's strategies directly: its pytest plugin does not run under pytest 9.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api.app import Settings, create_app

EXAMPLES = 40


def test_no_server_errors_on_any_get_endpoint(embedded_indexed_store):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(store=embedded_indexed_store)))
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            content_type = response.headers.get("content-type") or [""]
            if response.status_code >= 400 and "application/json" in str(content_type):
                body = response.json()
                assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body

        run()
        checked.append(operation.path)
    print(f"\nschemathesis: {len(checked)} GET operations x {EXAMPLES} examples, no server errors: {checked}")
    assert {"/api/search", "/api/tasks", "/api/documents/{ident}"} <= set(checked)
