"""Histories as older versions recorded them, before a rule the domain has now."""

from __future__ import annotations

import pytest

import domain.rules


def before_the_text_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands accept any text, control characters and NUL included, as they did
    before domain/text.py refused them."""
    monkeypatch.setattr(domain.rules, "check_text", lambda value, field, **_: value)
