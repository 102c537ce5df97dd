"""Submit the forms a page renders, the way a browser does.

A test fetches a page, picks a form by its button text or id, fills named fields and submits it
with the form's own action, method, enctype and every hidden input the page rendered (the CSRF
token included). Filling a field the form does not have, or choosing an option it does not
offer, fails the test: what is submitted is what the page lets a person submit.

Posting hand-built data to a form address is for tests of bad input only (a missing token, a
tampered field); such tests say so in their names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from litestar.testing import AsyncTestClient

Value = str | Iterable[str]
FileValue = tuple[str, bytes] | tuple[str, bytes, str]

# Input types whose value a browser submits as it is (checkboxes, radios, buttons and files
# have their own rules below).
_PLAIN_INPUTS = {
    "",
    "text",
    "hidden",
    "email",
    "password",
    "number",
    "date",
    "search",
    "tel",
    "url",
    "month",
    "time",
    "datetime-local",
}


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _attr(tag: Tag, name: str, default: str = "") -> str:
    value = tag.get(name)
    if value is None:
        return default
    return " ".join(value) if isinstance(value, list) else str(value)


@dataclass
class Form:
    """One `<form>` of a page: its target, the values a browser would send, and what it offers."""

    page_url: str
    tag: Tag
    submitter: Tag | None = None
    values: list[tuple[str, str]] = field(default_factory=list)
    files: dict[str, FileValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = self._defaults()

    @property
    def action(self) -> str:
        action = _attr(self.submitter, "formaction") if self.submitter is not None else ""
        return urljoin(self.page_url, action or _attr(self.tag, "action") or self.page_url)

    @property
    def method(self) -> str:
        return (_attr(self.tag, "method") or "get").lower()

    @property
    def multipart(self) -> bool:
        return _attr(self.tag, "enctype").lower() == "multipart/form-data"

    def _controls(self) -> list[Tag]:
        return [
            tag
            for tag in self.tag.find_all(["input", "select", "textarea", "button"])
            if tag.get("name") and not tag.has_attr("disabled")
        ]

    def _defaults(self) -> list[tuple[str, str]]:
        values: list[tuple[str, str]] = []
        for tag in self._controls():
            name = _attr(tag, "name")
            kind = _attr(tag, "type").lower()
            if tag.name == "textarea":
                values.append((name, tag.get_text()))
            elif tag.name == "select":
                options = tag.find_all("option")
                chosen = [o for o in options if o.has_attr("selected")]
                if not chosen and options and not tag.has_attr("multiple"):
                    chosen = options[:1]
                values += [(name, _attr(o, "value", _text(o))) for o in chosen]
            elif tag.name == "input" and kind in {"checkbox", "radio"}:
                if tag.has_attr("checked"):
                    values.append((name, _attr(tag, "value", "on")))
            elif tag.name == "input" and kind in _PLAIN_INPUTS:
                values.append((name, _attr(tag, "value")))
        if self.submitter is not None and self.submitter.get("name"):
            values.append((_attr(self.submitter, "name"), _attr(self.submitter, "value")))
        return values

    def field_names(self) -> set[str]:
        return {_attr(tag, "name") for tag in self._controls()}

    def options(self, name: str) -> list[str]:
        """The values a person can choose for a radio, checkbox or select field."""
        found: list[str] = []
        for tag in self._controls():
            if _attr(tag, "name") != name:
                continue
            if tag.name == "select":
                found += [_attr(o, "value", _text(o)) for o in tag.find_all("option")]
            elif _attr(tag, "type").lower() in {"checkbox", "radio"}:
                found.append(_attr(tag, "value", "on"))
        return found

    def fill(self, data: Mapping[str, Value | None] | None = None, **fields: Value | None) -> Form:
        """Set fields by name: a string, several strings (checkboxes, multiple selects) or None
        to leave the field empty (untick every box, send no radio)."""
        for name, value in {**(data or {}), **fields}.items():
            if name not in self.field_names():
                raise AssertionError(
                    f"the form has no field {name!r}: {sorted(self.field_names())}"
                )
            chosen = [] if value is None else [value] if isinstance(value, str) else list(value)
            offered = self.options(name)
            if offered:
                missing = [v for v in chosen if v not in offered]
                if missing:
                    raise AssertionError(f"field {name!r} offers {offered}, not {missing}")
            self.values = [(n, v) for n, v in self.values if n != name]
            self.values += [(name, v) for v in chosen]
        return self

    def attach(self, name: str, filename: str, content: bytes, content_type: str = "") -> Form:
        """Choose a file for a file input."""
        inputs = self.tag.find_all("input", attrs={"type": "file", "name": name})
        if not inputs:
            raise AssertionError(f"the form has no file field {name!r}")
        self.files[name] = (
            (filename, content, content_type) if content_type else (filename, content)
        )
        return self

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.values if n == name), None)

    async def submit(self, client: AsyncTestClient[Any], **kwargs: Any) -> Any:
        """Send the form as a browser would: its method, action and encoding."""
        if self.method == "get":
            return await client.get(self.action, params=urlencode(self.values), **kwargs)
        if self.multipart:
            files: list[tuple[str, Any]] = [(n, (None, v)) for n, v in self.values]
            files += list(self.files.items())
            return await client.post(self.action, files=files, **kwargs)
        headers = {"content-type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return await client.post(
            self.action, content=urlencode(self.values), headers=headers, **kwargs
        )


@dataclass
class Page:
    """A fetched HTML page and its forms."""

    url: str
    response: Any
    soup: BeautifulSoup

    @property
    def text(self) -> str:
        return str(self.response.text)

    def forms(self) -> list[Tag]:
        return list(self.soup.find_all("form"))

    def form(
        self, button: str | None = None, *, id: str | None = None, action: str | None = None
    ) -> Form:
        """The form whose submit button's text is `button` (or which has `id`, or whose action
        ends with `action`). Several forms with that button (one per list row, say) are refused:
        narrow the choice with `action`."""
        matches: list[tuple[Tag, Tag | None]] = []
        for tag in self.forms():
            if id is not None and _attr(tag, "id") != id:
                continue
            if action is not None and not urlsplit(
                urljoin(self.url, _attr(tag, "action"))
            ).path.endswith(action):
                continue
            if button is None:
                matches.append((tag, None))
                continue
            for candidate in tag.find_all(["button", "input"]):
                kind = _attr(
                    candidate, "type", "submit" if candidate.name == "button" else ""
                ).lower()
                label = (
                    _text(candidate) if candidate.name == "button" else _attr(candidate, "value")
                )
                if kind == "submit" and (label == button or label.startswith(button + " ")):
                    matches.append((tag, candidate))
                    break
        if len(matches) != 1:
            described = [
                (_attr(t, "action"), [_text(b) for b in t.find_all("button")]) for t in self.forms()
            ]
            raise AssertionError(
                f"{len(matches)} forms match button={button!r} id={id!r} action={action!r} "
                f"on {self.url}; forms: {described}"
            )
        tag, submitter = matches[0]
        return Form(page_url=self.url, tag=tag, submitter=submitter)


def parse(url: str, response: Any) -> Page:
    return Page(url=url, response=response, soup=BeautifulSoup(response.text, "html.parser"))


async def open_page(client: AsyncTestClient[Any], url: str, status: int = 200) -> Page:
    """GET a page (following redirects) and check its status."""
    response = await client.get(url, follow_redirects=True)
    assert response.status_code == status, (url, response.status_code, response.text[:2000])
    return parse(str(response.url), response)


async def submit(
    client: AsyncTestClient[Any],
    url: str,
    button: str | None = None,
    data: Mapping[str, Value | None] | None = None,
    *,
    id: str | None = None,
    action: str | None = None,
    follow_redirects: bool = True,
    **kwargs: Any,
) -> Any:
    """Open `url`, fill the form chosen by `button`/`id`/`action` with `data` and submit it."""
    page = await open_page(client, url)
    form = page.form(button, id=id, action=action).fill(data or {})
    return await form.submit(client, follow_redirects=follow_redirects, **kwargs)


async def submit_page(
    client: AsyncTestClient[Any],
    response: Any,
    button: str | None = None,
    data: Mapping[str, Value | None] | None = None,
    **kwargs: Any,
) -> Any:
    """Submit a form of a page already in hand (a response just received), following redirects."""
    page = parse(str(response.url), response)
    form = page.form(button, id=kwargs.pop("id", None), action=kwargs.pop("action", None))
    return await form.fill(data or {}).submit(
        client, follow_redirects=kwargs.pop("follow_redirects", True), **kwargs
    )
