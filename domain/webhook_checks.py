"""What a webhook endpoint's URL and description may be."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.errors import ValidationFailed
from domain.text import check_text

MAX_URL = 2000
MAX_DESCRIPTION = 500


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, no credentials and no fragment. Which schemes
    and addresses may be sent to is the sender's rule (HTTPS, public addresses)."""
    url = check_text(url, "url").strip()
    if not url or len(url) > MAX_URL:
        raise ValidationFailed("url", f"must be 1 to {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValidationFailed("url", "is not a URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed("url", "must be an absolute https:// URL")
    if parts.username or parts.password or parts.fragment:
        raise ValidationFailed("url", "must not carry credentials or a fragment")
    return url


def check_description(description: str) -> str:
    text = check_text(description, "description").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed("description", f"must be at most {MAX_DESCRIPTION} characters")
    return text
