"""The OpenAPI document: generated from the routes, then told what the layers around
them do (problem media type, idempotency, Retry-After) and the configured catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.headers import POSITION, REPLAYED, RETRY_AFTER, WRITES, WWW_AUTHENTICATE
from api.operations import Operations
from api.problems import MEDIA_TYPE
from api.schemas import CATALOGUE
from domain.values import Catalogue

IDEMPOTENCY_KEY = "idempotency-key"
UNKEPT = ("401", "413")  # answered before a key is looked at: never a kept answer


def document(app: FastAPI, catalogue: Catalogue) -> dict[str, Any]:
    if app.openapi_schema is None:
        built = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        for method, operation in operations_of(built):
            absent_is_not_null(operation)
            serve_problems_as_problem_json(operation)
            declare_layer_headers(operation, writes=method.upper() in WRITES)
        list_catalogue(built, catalogue)
        app.openapi_schema = built
    return app.openapi_schema


def operations(app: FastAPI) -> Operations:
    """The document's operations by path, built once."""
    table: Operations | None = getattr(app.state, "operations", None)
    if table is None:
        table = app.state.operations = Operations(app.openapi())
    return table


def operations_of(built: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in built["paths"].values():
        yield from item.items()


def absent_is_not_null(operation: dict[str, Any]) -> None:
    """An optional query or header parameter is left out, never sent as ``null``: its
    schema is the one of its value (FastAPI writes ``anyOf: [..., {type: null}]``)."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        variants = [v for v in schema.get("anyOf", []) if v != {"type": "null"}]
        if "anyOf" in schema and len(variants) == 1:
            del schema["anyOf"]
            schema.update(variants[0])


def serve_problems_as_problem_json(operation: dict[str, Any]) -> None:
    for response in operation.get("responses", {}).values():
        if "content" in response:
            response["content"] = {
                MEDIA_TYPE if is_problem(body) else media_type: body
                for media_type, body in response["content"].items()
            }


def is_problem(body: dict[str, Any]) -> bool:
    return str(body.get("schema", {}).get("$ref", "")).endswith("/Problem")


def declare_layer_headers(operation: dict[str, Any], *, writes: bool = False) -> None:
    """Headers set around the routes: Retry-After on 503 (and on 409 when a request
    with the same Idempotency-Key still runs), Idempotent-Replayed on kept answers,
    Tenantry-Position on a write's successful answers (api/positions.py)."""
    answers = operation.setdefault("responses", {})
    idempotent = any(
        p["in"] == "header" and p["name"].lower() == IDEMPOTENCY_KEY
        for p in operation.get("parameters", [])
    )
    if idempotent and "409" not in answers:
        answers["409"] = {
            "description": HTTPStatus.CONFLICT.phrase,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    for status, answer in answers.items():
        headers = answer.setdefault("headers", {})
        if status == "503" or (status == "409" and idempotent):
            headers.update(RETRY_AFTER)
        if status == "401":
            headers.update(WWW_AUTHENTICATE)
        if idempotent and status.isdigit() and int(status) < 500 and status not in UNKEPT:
            headers.update(REPLAYED)
        if writes and status.isdigit() and int(status) < 400:
            headers.update(POSITION)
        if not headers:
            del answer["headers"]


def list_catalogue(built: dict[str, Any], catalogue: Catalogue) -> None:
    """Each ``x-catalogue`` marker becomes a reference to the ``Sku`` or ``Addon`` enum of
    the configured codes (one enum each, so a generated client has one type each)."""
    schemas = built.setdefault("components", {}).setdefault("schemas", {})
    names = {"skus": "Sku", "addons": "Addon"}
    schemas["Sku"] = {
        "type": "string",
        "title": "Sku",
        "description": "a SKU of the catalogue (`GET /v1/catalogue`)",
        "enum": [item.code for item in catalogue.skus],
    }
    schemas["Addon"] = {
        "type": "string",
        "title": "Addon",
        "description": "an add-on of the catalogue (`GET /v1/catalogue`)",
        "enum": [item.code for item in catalogue.addons],
    }

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            kind = node.get(CATALOGUE)
            if kind is not None:
                return {"$ref": f"#/components/schemas/{names[kind]}"}
            return {key: visit(value) for key, value in node.items()}
        if isinstance(node, list):
            return [visit(value) for value in node]
        return node

    for name, schema in list(schemas.items()):
        schemas[name] = visit(schema)
