"""Previous over forward-only keyset pages: the URL keeps the earlier pages' cursors."""

from __future__ import annotations

from api.console import paging


def test_the_first_page_has_no_previous() -> None:
    assert paging.previous_params(None, []) is None


def test_next_remembers_where_this_page_started() -> None:
    assert paging.next_params(None, [], "c1") == {"cursor": "c1", "back": paging.FIRST}
    assert paging.next_params("c1", [paging.FIRST], "c2") == {
        "cursor": "c2",
        "back": f"{paging.FIRST}.c1",
    }


def test_previous_goes_one_page_back_and_forgets_it() -> None:
    back = paging.trail(f"{paging.FIRST}.c1")
    assert paging.previous_params("c2", back) == {"cursor": "c1", "back": paging.FIRST}
    assert paging.previous_params("c1", [paging.FIRST]) == {"cursor": None, "back": None}


def test_past_the_pages_kept_previous_leads_to_the_first_page() -> None:
    back: list[str] = []
    cursor = None
    for n in range(paging.KEPT + 5):
        back = paging.trail(paging.next_params(cursor, back, f"c{n}")["back"])
        cursor = f"c{n}"
    assert len(back) == paging.KEPT
    for _ in range(paging.KEPT):
        step = paging.previous_params(cursor, back)
        assert step is not None
        cursor, back = step["cursor"], paging.trail(step["back"])
    assert paging.previous_params(cursor, back) == {"cursor": None, "back": None}


def test_a_url_leaves_out_empty_parameters() -> None:
    assert paging.url("/p", {"tab": "pending", "q": None, "cursor": ""}) == "/p?tab=pending"
    assert paging.url("/p", {"q": None}) == "/p"
