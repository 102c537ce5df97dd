"""The test helper that submits rendered forms: it sends what a browser would and refuses what
the page does not offer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.forms import parse


class FakeResponse:
    def __init__(self, text: str) -> None:
        self.text = text


PAGE = """
<form method="post" action="/a/publish"><input type="hidden" name="_csrf_token" value="tok">
  <button type="submit">Publish</button></form>
<form method="post" action="edit" id="edit">
  <input type="hidden" name="_csrf_token" value="tok">
  <input name="title" value="Old"><textarea name="notes">Kept</textarea>
  <input type="radio" name="colour" value="red" checked><input type="radio" name="colour" value="blue">
  <input type="checkbox" name="tags" value="a"><input type="checkbox" name="tags" value="b" checked>
  <select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
  <input name="off" value="x" disabled>
  <button type="submit" name="action" value="save">Save</button>
</form>
"""


def page() -> Any:
    return parse("http://testserver.local/a/page", FakeResponse(PAGE))


def test_a_form_sends_its_hidden_inputs_and_the_values_a_browser_would() -> None:
    form = page().form("Save")
    assert form.action == "http://testserver.local/a/edit"
    assert form.values == [
        ("_csrf_token", "tok"),
        ("title", "Old"),
        ("notes", "Kept"),
        ("colour", "red"),
        ("tags", "b"),
        ("size", "m"),
        ("action", "save"),
    ]


def test_filling_replaces_values_and_none_sends_nothing() -> None:
    form = page().form(id="edit").fill(title="New", tags=["a", "b"], colour=None)
    assert ("title", "New") in form.values
    assert [v for n, v in form.values if n == "tags"] == ["a", "b"]
    assert form.value("colour") is None


def test_a_field_the_page_does_not_render_is_refused() -> None:
    with pytest.raises(AssertionError, match="no field 'secret'"):
        page().form("Save").fill(secret="1")
    with pytest.raises(AssertionError, match="no field 'off'"):
        page().form("Save").fill(off="1")


def test_an_option_the_page_does_not_offer_is_refused() -> None:
    with pytest.raises(AssertionError, match="offers"):
        page().form("Save").fill(size="xl")


def test_a_form_is_found_by_its_button_text_once() -> None:
    assert page().form("Publish").action == "http://testserver.local/a/publish"
    with pytest.raises(AssertionError, match="0 forms match"):
        page().form("Delete")
