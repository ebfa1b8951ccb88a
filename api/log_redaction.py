"""Activation tokens and sign-in links stay out of the logs: a log reader could
activate, or sign in, with one.

uvicorn's access log and the API's own log lines name request paths; a filter on each
rewrites ``/activate/<token>`` in a record's arguments as ``/activate/…``, and
``/console/sign-in/link/<token>`` as ``/console/sign-in/link/…``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

LOGGERS = ("uvicorn.access", "tenantry.api")
TOKEN_IN_PATH = re.compile(r"(/activate/|/console/sign-in/link/)[^/?\s\"]+")


class ActivationTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_PATH.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def redact_activation_tokens() -> Callable[[], None]:
    """Install the filter on each logger that names paths; returns its removal."""
    redaction = ActivationTokens()
    for name in LOGGERS:
        logging.getLogger(name).addFilter(redaction)

    def remove() -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(redaction)

    return remove
