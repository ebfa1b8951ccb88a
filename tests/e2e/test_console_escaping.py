"""What the console shows is escaped, what it cannot take is a page, and its assets are
its own."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, PENDING, msp, organizations

__all__ = ["msp"]  # a fixture
EVIL = "<script>alert(1)</script>"


def test_an_organization_named_like_a_script_shows_as_text(msp: World) -> None:
    cid = msp.customer(organization_name=EVIL)["id"]
    for page in (msp.client.get(PENDING).text, msp.client.get(f"{PENDING}&q={EVIL}").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert EVIL not in page
    msp.onboard(cid)
    page = msp.client.get(PAGE).text
    assert organizations(page) == [EVIL]
    assert EVIL not in page


def test_a_search_typed_like_markup_is_escaped_in_the_search_box(msp: World) -> None:
    page = msp.client.get(f'{PAGE}?q="><b>x</b>').text
    assert 'value="&#34;&gt;&lt;b&gt;x&lt;/b&gt;"' in page
    assert "<b>x</b>" not in page


def test_the_console_assets_are_served_with_their_licences(world: World) -> None:
    for path in (
        "/static/console/vendor/htmx/htmx.min.js",
        "/static/console/vendor/htmx/LICENSE",
        "/static/console/vendor/pico/pico.min.css",
        "/static/console/vendor/pico/LICENSE.md",
        "/static/console/console.js",
        "/static/console/console.css",
    ):
        assert world.client.get(path).status_code == 200, path


def test_a_query_the_page_does_not_take_is_a_problem_page_not_a_stack_trace(
    msp: World,
) -> None:
    page = msp.client.get(f"{PAGE}?tab=bogus", headers={"Accept": "text/html"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text
    assert "tab" in page.text
    assert "Traceback" not in page.text
