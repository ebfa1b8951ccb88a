"""A history's event in the console says who did it: the person, else the principal."""

from __future__ import annotations

from api.console.templates import by, templates
from application.dto import ActorDTO

ADA = ActorDTO(kind="msp", id="p1", user_id="u1", name="Ada Lovelace", email="ada@msp.example")


def test_a_persons_event_says_their_name_and_address() -> None:
    assert by(ADA) == "by Ada Lovelace (ada@msp.example)"


def test_a_person_without_a_name_is_their_address() -> None:
    assert by(ADA.model_copy(update={"name": ""})) == "by ada@msp.example"


def test_an_event_of_no_person_names_the_principal() -> None:
    assert by(ActorDTO(kind="system", id="process-manager")) == "by system process-manager"


def test_the_templates_have_the_filter_and_escape_what_it_gives() -> None:
    evil = ADA.model_copy(update={"name": "<script>x</script>"})
    rendered = templates().env.from_string("{{ actor | by }}").render(actor=evil)
    assert rendered == "by &lt;script&gt;x&lt;/script&gt; (ada@msp.example)"
