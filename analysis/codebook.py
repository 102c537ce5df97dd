"""Codebooks: a tree of themes with descriptions, match patterns and example quotes (YAML)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import AnalysisError

# Fixed namespace so a theme without a stored GUID always exports with the same one.
GUID_NAMESPACE = uuid.UUID("6f1c1c39-4c55-4f59-9a39-0b3f7f0b7c11")
_LIST_FIELDS = ("keywords", "phrases", "lemmas", "examples")


@dataclass
class Theme:
    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    token_patterns: list[list[dict[str, Any]]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    children: list[Theme] = field(default_factory=list)
    guid: str | None = None

    def stable_guid(self, parent_path: str = "") -> str:
        return self.guid or str(uuid.uuid5(GUID_NAMESPACE, f"{parent_path}/{self.name}"))

    def has_patterns(self) -> bool:
        return bool(self.keywords or self.phrases or self.lemmas or self.token_patterns)


@dataclass
class Codebook:
    name: str = "Codebook"
    description: str = ""
    themes: list[Theme] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[Theme, Theme | None]]:
        """Every theme with its parent (None at the top), depth first."""

        def visit(theme: Theme, parent: Theme | None) -> Iterator[tuple[Theme, Theme | None]]:
            yield theme, parent
            for child in theme.children:
                yield from visit(child, theme)

        for theme in self.themes:
            yield from visit(theme, None)

    def theme_names(self) -> list[str]:
        return [theme.name for theme, _ in self.walk()]

    def parents(self) -> dict[str, str]:
        return {t.name: p.name for t, p in self.walk() if p is not None}


def _theme_from_dict(raw: Any, where: str) -> Theme:
    if not isinstance(raw, dict):
        raise AnalysisError(f"{where}: each theme must be a mapping with a 'name'")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AnalysisError(f"{where}: theme has no name")
    values: dict[str, list[str]] = {}
    for key in _LIST_FIELDS:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnalysisError(f"{where}: '{key}' of theme '{name}' must be a list of strings")
        values[key] = value
    patterns = raw.get("token_patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
        raise AnalysisError(f"{where}: 'token_patterns' of theme '{name}' must be a list of lists")
    children_raw = raw.get("children") or []
    if not isinstance(children_raw, list):
        raise AnalysisError(f"{where}: 'children' of theme '{name}' must be a list")
    return Theme(
        name=name.strip(),
        description=str(raw.get("description") or ""),
        token_patterns=patterns,
        children=[_theme_from_dict(c, f"{where} > {name}") for c in children_raw],
        guid=raw.get("guid"),
        **values,
    )


def codebook_from_dict(raw: Any, source: str = "codebook") -> Codebook:
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
        raise AnalysisError(f"{source}: malformed codebook (expected a mapping with 'themes')")
    book = Codebook(
        name=str(raw.get("name") or "Codebook"),
        description=str(raw.get("description") or ""),
        themes=[_theme_from_dict(t, source) for t in raw["themes"]],
    )
    names = book.theme_names()
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AnalysisError(f"{source}: theme names must be unique ({', '.join(duplicates)})")
    if not names:
        raise AnalysisError(f"{source}: codebook has no themes")
    return book


def _theme_to_dict(theme: Theme, parent_path: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": theme.name, "guid": theme.stable_guid(parent_path)}
    if theme.description:
        out["description"] = theme.description
    for key in _LIST_FIELDS:
        if getattr(theme, key):
            out[key] = list(getattr(theme, key))
    if theme.token_patterns:
        out["token_patterns"] = theme.token_patterns
    if theme.children:
        path = f"{parent_path}/{theme.name}"
        out["children"] = [_theme_to_dict(c, path) for c in theme.children]
    return out


def codebook_to_dict(book: Codebook) -> dict[str, Any]:
    out: dict[str, Any] = {"name": book.name}
    if book.description:
        out["description"] = book.description
    out["themes"] = [_theme_to_dict(t, "") for t in book.themes]
    return out


def load_codebook(path: str | Path) -> Codebook:
    """Load a codebook from YAML (``.yaml``/``.yml``) or REFI-QDA (``.qdc``)."""
    path = Path(path)
    if not path.exists():
        raise AnalysisError(f"codebook not found: {path}")
    if path.suffix.lower() == ".qdc":
        from analysis.qdc import read_qdc

        return read_qdc(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"codebook {path.name} is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise AnalysisError(f"codebook {path.name} is not valid YAML{line}") from exc
    return codebook_from_dict(raw, f"codebook {path.name}")


def save_codebook(book: Codebook, path: str | Path) -> None:
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        from analysis.qdc import write_qdc

        write_qdc(book, path)
        return
    text = yaml.safe_dump(codebook_to_dict(book), sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
