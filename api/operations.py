"""The operations of the OpenAPI document by concrete path: what a request would reach.

The router answers 404 and 405; this table lets the layers around it agree with the
document: ``Allow`` names every method of the path, and Idempotency-Key is honoured
exactly on the operations that declare it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

IDEMPOTENCY_KEY = "Idempotency-Key"
METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
PARAMETER = re.compile(r"\{[^}/]+\}")


class Operations:
    def __init__(self, document: dict[str, Any]) -> None:
        self.paths: list[tuple[re.Pattern[str], dict[str, dict[str, Any]]]] = [
            (pattern(template), {m.upper(): op for m, op in item.items() if m.upper() in METHODS})
            for template, item in document.get("paths", {}).items()
        ]

    def allowed(self, path: str) -> list[str]:
        """Every method some operation of this path answers, in a fixed order."""
        found = {method for operations in self._matching(path) for method in operations}
        return [method for method in METHODS if method in found]

    def find(self, method: str, path: str) -> dict[str, Any] | None:
        """The operation the router takes: the first in the document's order."""
        for operations in self._matching(path):
            if method in operations:
                return operations[method]
        return None

    def takes_idempotency_key(self, method: str, path: str) -> bool:
        operation = self.find(method, path)
        return operation is not None and any(
            p.get("in") == "header" and p.get("name", "").lower() == IDEMPOTENCY_KEY.lower()
            for p in operation.get("parameters", [])
        )

    def _matching(self, path: str) -> Iterator[dict[str, dict[str, Any]]]:
        for regex, operations in self.paths:
            if regex.fullmatch(path):
                yield operations


def pattern(template: str) -> re.Pattern[str]:
    parts = PARAMETER.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))
