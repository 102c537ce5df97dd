"""Processed text (lower-case tokens and lemmas) with a cache keyed by a hash of each text.

Parsing is the expensive step, so it happens once per distinct text: a codebook edit or a new
word cloud re-uses the cached tokens instead of running spaCy again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from analysis.nlp import build_pipeline

CACHE_FILE = "processed-text.json"
CACHE_VERSION = 1


class Processed:
    """Tokens of one text: lower-case forms and lower-case lemmas, aligned.

    Kept as the two space-joined strings from the cache and split only when tokens are asked
    for: a re-code after a small codebook edit needs the tokens of few responses.
    """

    __slots__ = ("_lemma", "_lower", "lemma_text", "lower_text")

    def __init__(self, lower_text: str, lemma_text: str) -> None:
        self.lower_text = lower_text
        self.lemma_text = lemma_text
        self._lower: tuple[str, ...] | None = None
        self._lemma: tuple[str, ...] | None = None

    @property
    def lower(self) -> tuple[str, ...]:
        if self._lower is None:
            self._lower = tuple(self.lower_text.split())
        return self._lower

    @property
    def lemma(self) -> tuple[str, ...]:
        if self._lemma is None:
            self._lemma = tuple(self.lemma_text.split())
        return self._lemma

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Processed) and (self.lower_text, self.lemma_text) == (
            other.lower_text,
            other.lemma_text,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable cache fields; equality by value only


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class TextCache:
    """An on-disk (optional) store of processed texts keyed by :func:`text_key`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.entries: dict[str, tuple[str, str]] = {}
        self.dirty = False
        if directory is not None and (directory / CACHE_FILE).exists():
            data = json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.entries = {k: (v[0], v[1]) for k, v in data["entries"].items()}

    def save(self) -> None:
        if self.directory is None or not self.dirty:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {"version": CACHE_VERSION, "entries": self.entries}
        tmp = self.directory / (CACHE_FILE + ".tmp")
        tmp.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        tmp.replace(self.directory / CACHE_FILE)
        self.dirty = False


def process_texts(
    texts: Sequence[str],
    cache: TextCache | None = None,
    progress: bool = False,
    batch_size: int = 1000,
) -> list[Processed]:
    """Tokenise and lemmatise texts (fast pipeline), parsing each distinct text once."""
    cache = cache or TextCache()
    keys = [text_key(t) for t in texts]
    todo: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in cache.entries and key not in todo:
            todo[key] = text
    if todo:
        nlp = build_pipeline("fast").nlp
        docs = nlp.pipe(todo.values(), batch_size=batch_size, disable=["sentencizer"])
        for key, doc in tqdm(
            zip(todo, docs, strict=True), total=len(todo), disable=not progress, desc="parse"
        ):
            tokens = [t for t in doc if not t.is_space]
            # Tokens never contain spaces, so a joined string is a compact, lossless store.
            cache.entries[key] = (
                " ".join(t.lower_ for t in tokens),
                " ".join((t.lemma_ or t.lower_).replace(" ", "_") for t in tokens),
            )
        cache.dirty = True
    entries = cache.entries
    return [Processed(*entries[key]) for key in keys]
