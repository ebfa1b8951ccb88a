"""What the follower's log says of a failure: what went wrong, never the event's data."""

from __future__ import annotations

import psycopg
import pytest
from pydantic import BaseModel, ValidationError

from projections.failures import ProjectionFailed, describe

SECRET = "jane.doe@example.com"


class Named(BaseModel):
    organization_name: str
    count: int


def _validation_error() -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Named.model_validate({"organization_name": 7, "count": SECRET})
    return caught.value


def test_a_validation_error_is_told_by_its_fields_and_kinds_without_their_values() -> None:
    told = describe(_validation_error())
    assert told == "ValidationError: organization_name: string_type; count: int_parsing"
    assert SECRET not in told


def test_a_client_side_database_error_keeps_its_own_message() -> None:
    error = psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    assert describe(error) == "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes"


def test_any_other_error_is_told_by_its_class_alone() -> None:
    assert describe(RuntimeError(f"could not write {SECRET}")) == "RuntimeError"


def test_a_projection_failure_names_the_position_and_the_event_type() -> None:
    failed = ProjectionFailed(42, "Customer.Created", _validation_error())
    assert str(failed).startswith("event 42 (Customer.Created): ValidationError")
    assert SECRET not in str(failed)
