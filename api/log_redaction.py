"""Activation tokens stay out of the access log: a log reader could activate with one."""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
TOKEN_IN_PATH = re.compile(r"/activate/[^/?\s]+")


class ActivationTokens(logging.Filter):
    """Rewrites ``/activate/<token>`` in a record's arguments as ``/activate/…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_PATH.sub("/activate/…", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


def redact_access_log() -> logging.Filter:
    """Install the filter on uvicorn's access log; returns it, to remove it again."""
    redaction = ActivationTokens()
    logging.getLogger(ACCESS_LOGGER).addFilter(redaction)
    return redaction
