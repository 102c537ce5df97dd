"""Word clouds of a text question, overall or per group, with their frequency tables.

Words are lemmatised, stop words (spaCy's and a custom list) removed, and shown only when at
least ``min_respondents`` respondents used them (respondents, not occurrences, so one person
repeating a word cannot make it appear). Words that could be names are checked with the
redaction pipeline first. Output is deterministic: a fixed ``random_state`` and the font shipped
inside the wordcloud package.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import wordcloud as wordcloud_lib

from analysis.corpus import Processed, TextCache, process_texts
from analysis.nlp import stop_words
from analysis.redaction import redact_texts
from analysis.spreadsheet import write_csv

FONT_PATH = str(Path(wordcloud_lib.__file__).parent / "DroidSansMono.ttf")
# A capitalised word after a lower-case word or comma is a possible name or place.
_MID_CAPITAL = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+)")
NAME_CHECK_SAMPLE = 10


@dataclass
class WordCloudResult:
    frequencies: pd.DataFrame  # word, respondents, share
    respondents: int
    png: bytes
    svg: str
    notes: list[str]


def respondent_counts(
    processed: Iterable[Processed], extra_stop_words: Iterable[str] = ()
) -> Counter[str]:
    extra = [w for w in extra_stop_words if w.strip()]
    # A custom stop word removes its lemma too ("Scared" also removes "scare").
    stops = stop_words() | {w.lower() for w in extra}
    stops |= {lemma for item in process_texts(extra) for lemma in item.lemma}
    counts: Counter[str] = Counter()
    for item in processed:
        counts.update({w for w in item.lemma if w.isalpha() and len(w) > 1 and w not in stops})
    return counts


def _possible_names(texts: Sequence[str], counts: Counter[str], words: set[str]) -> set[str]:
    """Candidate words that a redaction pass marks as a name or address in some response.

    Only words written with a capital mid-sentence by at least half the respondents using them
    are checked (names are; "staff" or "nurse" mostly are not), with one batched redaction
    pass over a small sample of their responses, so NER runs only where its output is used.
    """
    # Up to NAME_CHECK_SAMPLE snippets per word, each the word with 60 characters either side:
    # enough context for NER, and far quicker than whole responses.
    snippets: dict[str, list[str]] = {}
    capital_respondents: Counter[str] = Counter()
    for text in texts:
        seen: set[str] = set()
        for match in _MID_CAPITAL.finditer(text):
            word = match.group(1).lower()
            if word not in words or word in seen:
                continue
            seen.add(word)
            capital_respondents[word] += 1
            found = snippets.setdefault(word, [])
            if len(found) < NAME_CHECK_SAMPLE:
                found.append(text[max(0, match.start() - 60) : match.end() + 60])
    checked = [w for w in snippets if capital_respondents[w] * 2 >= counts[w]]
    batch = [(w, snippet) for w in checked for snippet in snippets[w]]
    redacted = redact_texts([snippet for _, snippet in batch]).texts if batch else []
    flagged: set[str] = set()
    for (word, original), after in zip(batch, redacted, strict=True):
        pattern = rf"\b{re.escape(word)}\b"
        if re.search(pattern, original, re.IGNORECASE) and not re.search(
            pattern, after, re.IGNORECASE
        ):
            flagged.add(word)
    return flagged


def word_frequencies(
    texts: Sequence[str],
    min_respondents: int = 5,
    extra_stop_words: Iterable[str] = (),
    cache: TextCache | None = None,
) -> tuple[pd.DataFrame, int, list[str]]:
    texts = [t for t in texts if t and t.strip()]
    counts = respondent_counts(process_texts(texts, cache), extra_stop_words)
    shown = {w: n for w, n in counts.items() if n >= min_respondents}
    names = _possible_names(texts, counts, set(shown))
    notes = [f"words used by fewer than {min_respondents} respondents are not shown"]
    if names:
        notes.append(f"{len(names)} word(s) removed by redaction (possible names or places)")
    rows = sorted(((w, n) for w, n in shown.items() if w not in names), key=lambda r: (-r[1], r[0]))
    frame = pd.DataFrame(rows, columns=["word", "respondents"])
    frame["share"] = (frame["respondents"] / max(len(texts), 1)).round(4)
    return frame, len(texts), notes


def render(frequencies: pd.DataFrame, width: int = 800, height: int = 400) -> tuple[bytes, str]:
    """PNG bytes and SVG text of a cloud; identical output for identical frequencies."""
    cloud = wordcloud_lib.WordCloud(
        font_path=FONT_PATH,
        width=width,
        height=height,
        background_color="white",
        random_state=0,
        colormap="viridis",
        collocations=False,
    )
    data = dict(zip(frequencies["word"], frequencies["respondents"].astype(float), strict=True))
    if not data:
        return _empty_png(width, height), _EMPTY_SVG.format(width=width, height=height)
    cloud.generate_from_frequencies(data)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG")
    return buffer.getvalue(), cloud.to_svg()


_EMPTY_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
    '<rect width="100%" height="100%" style="fill:white"/>'
    '<text x="10" y="30">No word was used by enough respondents to show.</text></svg>'
)


def _empty_png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def word_cloud(
    texts: Sequence[str],
    min_respondents: int = 5,
    extra_stop_words: Iterable[str] = (),
    cache: TextCache | None = None,
) -> WordCloudResult:
    frequencies, respondents, notes = word_frequencies(
        texts, min_respondents, extra_stop_words, cache
    )
    png, svg = render(frequencies)
    return WordCloudResult(frequencies, respondents, png, svg, notes)


def word_clouds_by_group(
    frame: pd.DataFrame,
    text_column: str,
    group_column: str | None,
    min_respondents: int = 5,
    extra_stop_words: Iterable[str] = (),
    cache: TextCache | None = None,
) -> dict[str, WordCloudResult]:
    """One cloud for everyone ("All") and one per group value."""

    def texts_of(part: pd.DataFrame) -> list[str]:
        return ["" if pd.isna(v) else str(v) for v in part[text_column]]

    out = {"All": word_cloud(texts_of(frame), min_respondents, extra_stop_words, cache)}
    if group_column:
        for value, part in frame.groupby(group_column, sort=True, dropna=True):
            out[str(value)] = word_cloud(texts_of(part), min_respondents, extra_stop_words, cache)
    return out


def save_word_cloud(result: WordCloudResult, directory: Path, stem: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{stem}.png", directory / f"{stem}.svg", directory / f"{stem}.csv"]
    paths[0].write_bytes(result.png)
    paths[1].write_text(result.svg, encoding="utf-8")
    write_csv(result.frequencies, paths[2], index=False)
    return paths
