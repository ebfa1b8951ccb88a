"""Every error that names a problem type names one in the table, with its status."""

from __future__ import annotations

from http import HTTPStatus

import application.errors
import domain.errors
from api.problems import Slug, problem
from domain.errors import DomainError


def subclasses(kind: type[DomainError]) -> set[type[DomainError]]:
    found = set(kind.__subclasses__())
    return found.union(*(subclasses(each) for each in found))


def test_every_error_slug_is_in_the_table() -> None:
    assert application.errors.PreconditionFailed in subclasses(DomainError)  # all imported
    named = [error.slug for error in subclasses(DomainError) | {DomainError}]
    for slug in [*named, application.errors.TamperedHistory.slug]:
        Slug.named(slug)  # raises for a slug not in the table
    assert domain.errors.LinkExpired.slug == Slug.LINK_EXPIRED


def test_a_problem_is_answered_with_the_status_of_its_slug() -> None:
    for slug in Slug:
        response = problem(slug, "detail")
        assert response.status_code == slug.status
        assert response.problem.type.endswith("/" + slug.value)
        assert response.problem.title == HTTPStatus(slug.status).phrase
