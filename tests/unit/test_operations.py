"""The document's operations by concrete path: Allow's methods and where the key counts."""

from __future__ import annotations

from api.operations import Operations

KEY = {"in": "header", "name": "Idempotency-Key"}
DOCUMENT = {
    "paths": {
        "/v1/customers/pending": {"get": {}},
        "/v1/customers/{customer_id}": {"get": {}, "patch": {"parameters": [KEY]}},
        "/activate/{token}": {"get": {}, "post": {}},
    }
}


def test_allow_names_every_method_of_every_operation_matching_the_path() -> None:
    operations = Operations(DOCUMENT)
    assert operations.allowed("/activate/abc") == ["GET", "POST"]
    assert operations.allowed("/v1/customers/pending") == ["GET", "PATCH"]
    assert operations.allowed("/v1/customers/x/y") == []


def test_the_key_counts_on_the_operation_the_router_takes() -> None:
    operations = Operations(DOCUMENT)
    assert operations.takes_idempotency_key("PATCH", "/v1/customers/123")
    assert not operations.takes_idempotency_key("GET", "/v1/customers/123")
    assert not operations.takes_idempotency_key("POST", "/activate/abc")
    assert not operations.takes_idempotency_key("DELETE", "/v1/customers/123")
    assert not operations.takes_idempotency_key("PATCH", "/v1/customers/123/history")


def test_a_parameter_never_spans_a_slash_and_literals_are_literal() -> None:
    operations = Operations({"paths": {"/a.b/{x}": {"get": {}}}})
    assert operations.allowed("/a.b/1") == ["GET"]
    assert operations.allowed("/aXb/1") == []
    assert operations.allowed("/a.b/1/2") == []
