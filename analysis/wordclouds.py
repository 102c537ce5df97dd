"""Word clouds of a text question, overall or per group, with their frequency tables.

Disclosure rules (``docs/analysis.md``, "Word clouds"):

- **Redacted text only.** Every response goes through :func:`analysis.redaction.redact_texts`
  first and the clouds are drawn from its output, with the ``[NAME]``-style placeholders
  removed. A word that redaction treated as (part of) a name anywhere in the corpus is dropped
  from every cloud, so "Darren" redacted in one answer also removes "darren" written in lower
  case, or at the start of a sentence, in another. Only the words redaction's own patterns use to
  introduce a name ("my husband", "Dr", "nurse") are kept, as they are never names themselves.
- **Distinct respondents.** A word counts once per respondent however often and in however many
  rows they used it: with a respondent id (``respondent_ids`` / ``id_column``) rows are grouped by
  person; without one every row is taken to be a different person, and the notes say so.
- **k.** A word is shown in a cloud only when at least k (default 5) distinct respondents in
  that cloud used it; a group's cloud is drawn only when the group has at least k respondents.
- **Differencing.** A set of clouds ("All" and one per group) is checked as a whole, word by
  word: the "All" count is the sum of the groups' counts and of everyone in no drawn group.
  While some count from 1 to k-1 could be worked out from what the set shows (for example a word
  shown in "All" and in every group but one), the word is also left out of the group cloud where
  it has the fewest users. The same is done for the numbers of respondents per cloud.

Output is deterministic: a fixed ``random_state`` and the font shipped inside the wordcloud
package.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import wordcloud as wordcloud_lib

from analysis.components import name_context
from analysis.corpus import Processed, TextCache, process_texts, text_key
from analysis.disclosure import check_k, clean_label, clean_labels
from analysis.errors import AnalysisError
from analysis.nlp import Pipeline, build_pipeline, stop_words
from analysis.redaction import redact_texts
from analysis.spreadsheet import write_csv

FONT_PATH = str(Path(wordcloud_lib.__file__).parent / "DroidSansMono.ttf")
ALL = "All"
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*\]")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass
class WordCloudResult:
    frequencies: pd.DataFrame  # word, respondents, share
    respondents: int
    png: bytes
    svg: str
    notes: list[str]


@dataclass
class _Corpus:
    """Each respondent's set of words (from redacted text) and what was removed on the way."""

    words: dict[Hashable, set[str]]
    names: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def respondent_counts(
    processed: Iterable[Processed], extra_stop_words: Iterable[str] = ()
) -> Counter[str]:
    """Words per text (each text counted once per word), stop words removed."""
    stops = _stops(extra_stop_words)
    counts: Counter[str] = Counter()
    for item in processed:
        counts.update(_words(item, stops))
    return counts


def _stops(extra_stop_words: Iterable[str]) -> set[str]:
    extra = [w for w in extra_stop_words if w.strip()]
    # A custom stop word removes its lemma too ("Scared" also removes "scare").
    stops = set(stop_words()) | {w.lower() for w in extra}
    return stops | {lemma for item in process_texts(extra) for lemma in item.lemma}


def _words(item: Processed, stops: set[str]) -> set[str]:
    return {w for w in item.lemma if w.isalpha() and len(w) > 1 and w not in stops}


def _respondent_ids(ids: Sequence[Hashable] | None, count: int) -> tuple[list[Hashable], str]:
    if ids is None:
        note = (
            "each row was taken to be a different respondent (no respondent id given); "
            "give one when a person can have several rows"
        )
        return list(range(count)), note
    ids = list(ids)
    if len(ids) != count:
        raise AnalysisError(f"{len(ids)} respondent ids for {count} texts; give one per text")
    blank = sum(1 for i in ids if i is None or (isinstance(i, float) and i != i) or str(i) == "")
    if blank:
        raise AnalysisError(f"{blank} row(s) have no respondent id; every row needs one")
    repeated = sum(1 for n in Counter(ids).values() if n > 1)
    note = (
        f"{repeated} respondent(s) have more than one row; each counts once per word"
        if repeated
        else "one row per respondent id"
    )
    return ids, note


REDACTION_CACHE = "redacted-text.json"
_REDACTION_SOURCES = ("redaction.py", "components.py", "nlp.py", "wordclouds.py", "patterns")


def _redaction_fingerprint(pipeline: Pipeline) -> str:
    """Changes whenever the model or redaction's code or patterns change (stale entries die)."""
    digest = hashlib.blake2b(pipeline.model.encode("utf-8"), digest_size=12)
    root = Path(__file__).parent
    for name in _REDACTION_SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(file.name.encode("utf-8"))
                digest.update(file.read_bytes())
    return digest.hexdigest()


@functools.cache
def _cue_words() -> frozenset[str]:
    """Words redaction's name rules use to introduce a name ("my husband", "Dr", "nurse") or
    keep inside a name's span (honorifics): never names themselves."""
    context = name_context()
    return frozenset(context["relations"] | context["honorifics"])


def _redact(
    texts: list[str], pipeline: Pipeline | None, cache: TextCache | None
) -> tuple[list[str], list[set[str]], list[str]]:
    """Redacted texts, the words of the names found in each, and redaction's notes.

    With a cache directory each distinct text is redacted once across runs; the cache holds the
    redacted text and the name words only, and is keyed by the redaction fingerprint.
    """
    pipeline = pipeline or build_pipeline("full")
    directory = cache.directory if cache is not None else None
    path = directory / REDACTION_CACHE if directory is not None else None
    fingerprint = _redaction_fingerprint(pipeline) if path is not None else ""
    stored: dict[str, list[object]] = {}
    if path is not None and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("fingerprint") == fingerprint:
            stored = data["entries"]
    keys = [text_key(t) for t in texts]
    todo = list(dict.fromkeys(key for key in keys if key not in stored))
    notes: list[str] = [] if pipeline.trained else ["name redaction was pattern-only"]
    if todo:
        first = {key: text for key, text in zip(keys, texts, strict=True)}
        originals = [first[key] for key in todo]
        redaction = redact_texts(originals, pipeline)
        notes = list(redaction.notes)
        pieces: dict[int, list[str]] = {}
        log = redaction.log
        for row, kind, start, end in zip(
            log["row"], log["type"], log["start"], log["end"], strict=True
        ):
            if kind == "NAME":
                pieces.setdefault(int(row), []).append(originals[int(row)][int(start) : int(end)])
        cues = _cue_words()
        for i, key in enumerate(todo):
            words = {w.lower() for piece in pieces.get(i, []) for w in _LETTERS.findall(piece)}
            lemmas = {lemma for item in process_texts(pieces.get(i, [])) for lemma in item.lemma}
            stored[key] = [redaction.texts[i], sorted((words | lemmas) - cues)]
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            payload = {"fingerprint": fingerprint, "entries": stored}
            tmp.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
            tmp.replace(path)
    redacted = [str(stored[key][0]) for key in keys]
    names = [set(stored[key][1]) for key in keys]  # type: ignore[call-overload]
    return redacted, names, notes


def _prepare(
    texts: Sequence[str],
    ids: Sequence[Hashable],
    extra_stop_words: Iterable[str],
    cache: TextCache | None,
    pipeline: Pipeline | None,
) -> _Corpus:
    """Redact, strip placeholders, lemmatise and gather words per respondent."""
    keep = [i for i, t in enumerate(texts) if t and str(t).strip()]
    originals = [str(texts[i]) for i in keep]
    redacted, name_words, notes = _redact(originals, pipeline, cache) if originals else ([], [], [])
    # A word redaction treated as a name in any response is dropped from every response.
    names: set[str] = set().union(*name_words) if name_words else set()
    cleaned = [_PLACEHOLDER.sub(" ", t) for t in redacted]
    stops = _stops(extra_stop_words)
    words: dict[Hashable, set[str]] = {}
    for index, item in zip(keep, process_texts(cleaned, cache), strict=True):
        words.setdefault(ids[index], set()).update(_words(item, stops) - names)
    return _Corpus(words, names, notes)


def _frequencies(counts: Counter[str], shown: set[str], respondents: int) -> pd.DataFrame:
    rows = sorted(((w, counts[w]) for w in shown), key=lambda r: (-r[1], r[0]))
    frame = pd.DataFrame(rows, columns=["word", "respondents"])
    frame["respondents"] = frame["respondents"].astype(int)
    frame["share"] = (frame["respondents"] / max(respondents, 1)).round(4)
    return frame


def _common_notes(k: int, corpus: _Corpus, id_note: str) -> list[str]:
    notes = [
        f"words used by fewer than {k} respondents are not shown",
        "drawn from redacted text; " + id_note,
    ]
    if corpus.names:
        notes.append(
            f"{len(corpus.names)} word(s) removed everywhere because redaction treated them "
            "as a name somewhere"
        )
    return notes + corpus.notes


def word_frequencies(
    texts: Sequence[str],
    min_respondents: int = 5,
    extra_stop_words: Iterable[str] = (),
    cache: TextCache | None = None,
    *,
    respondent_ids: Sequence[Hashable] | None = None,
    pipeline: Pipeline | None = None,
) -> tuple[pd.DataFrame, int, list[str]]:
    """(word, respondents, share) of words used by at least k respondents; count; notes."""
    k = check_k(min_respondents, "min_respondents")
    ids, id_note = _respondent_ids(respondent_ids, len(texts))
    corpus = _prepare(texts, ids, extra_stop_words, cache, pipeline)
    counts: Counter[str] = Counter()
    for words in corpus.words.values():
        counts.update(words)
    shown = {w for w, n in counts.items() if n >= k}
    respondents = len(corpus.words)
    return _frequencies(counts, shown, respondents), respondents, _common_notes(k, corpus, id_note)


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
    *,
    respondent_ids: Sequence[Hashable] | None = None,
    pipeline: Pipeline | None = None,
) -> WordCloudResult:
    frequencies, respondents, notes = word_frequencies(
        texts,
        min_respondents,
        extra_stop_words,
        cache,
        respondent_ids=respondent_ids,
        pipeline=pipeline,
    )
    png, svg = render(frequencies)
    return WordCloudResult(frequencies, respondents, png, svg, notes)


def _pinned_under_k(
    total: int, shown: dict[str, int], absent: dict[str, tuple[int, int, int]], k: int
) -> bool:
    """Whether a count from 1 to k-1 among ``absent`` parts follows from the shown ones.

    ``absent`` maps each part to (true count, lowest, highest) as the attacker bounds it;
    one sum (the total) links them, so interval arithmetic gives each part's exact range.
    """
    rest = total - sum(shown.values())
    low_sum = sum(lo for _, lo, _ in absent.values())
    high_sum = sum(hi for _, _, hi in absent.values())
    for value, lo, hi in absent.values():
        if not 1 <= value < k:
            continue
        least = max(lo, rest - (high_sum - hi))
        most = min(hi, rest - (low_sum - lo))
        if least == most:
            return True
    return False


def _protect_parts(
    total: int, parts: dict[str, int], limits: dict[str, int], publishable: set[str], k: int
) -> tuple[set[str], bool]:
    """Which parts may show their count, and whether the total may, so that no count under k
    can be worked out.

    ``parts`` holds every part (the groups and the remainder) with its true count, ``limits``
    what the attacker knows bounds each (a group's published size); only parts in
    ``publishable`` can be shown. The attacker is assumed to know which hidden parts are under k
    and which were hidden to protect another (the strongest assumption). Parts are withdrawn
    smallest first; if that is not enough the total is withdrawn too.
    """
    if total < k:
        return set(), False
    shown = {p for p in publishable if parts[p] >= k}
    while True:
        absent = {}
        for p, value in parts.items():
            if p in shown:
                continue
            top = limits[p]
            absent[p] = (value, 0, min(k - 1, top)) if value < k else (value, k, top)
        if not _pinned_under_k(total, {p: parts[p] for p in shown}, absent, k):
            return shown, True
        if not shown:
            return shown, False
        shown.discard(min(shown, key=lambda p: (parts[p], p)))


def word_clouds_by_group(
    frame: pd.DataFrame,
    text_column: str,
    group_column: str | None,
    min_respondents: int = 5,
    extra_stop_words: Iterable[str] = (),
    cache: TextCache | None = None,
    *,
    id_column: str | None = None,
    pipeline: Pipeline | None = None,
) -> dict[str, WordCloudResult]:
    """One cloud for everyone ("All") and one per group value, protected as a set."""
    k = check_k(min_respondents, "min_respondents")
    texts = ["" if pd.isna(v) else str(v) for v in frame[text_column]]
    raw_ids = frame[id_column].tolist() if id_column else None
    ids, id_note = _respondent_ids(raw_ids, len(frame))
    corpus = _prepare(texts, ids, extra_stop_words, cache, pipeline)
    notes = _common_notes(k, corpus, id_note)
    group_of = _groups(frame, group_column, ids) if group_column else {}
    respondents = list(corpus.words)  # respondents with some non-blank text
    counts_all: Counter[str] = Counter()
    for words in corpus.words.values():
        counts_all.update(words)

    groups = sorted({g for r in respondents if (g := group_of.get(r)) is not None})
    members = {g: [r for r in respondents if group_of.get(r) == g] for g in groups}
    rest = "\0rest"  # everyone in no drawn group; never a published name
    sizes = {g: len(members[g]) for g in groups}
    sizes[rest] = len(respondents) - sum(sizes.values())
    unknown = dict.fromkeys(sizes, len(respondents))  # no group's size is known beforehand
    # The number of respondents in "All" is always published; groups are withdrawn instead.
    drawn, _ = _protect_parts(len(respondents), sizes, unknown, set(groups), k)
    if set(groups) - drawn:
        notes.append(
            f"{len(set(groups) - drawn)} group(s) have no cloud: fewer than {k} respondents, "
            "or their number could otherwise be worked out from the others"
        )
    part_sizes = {g: sizes[g] for g in drawn}
    part_sizes[rest] = len(respondents) - sum(part_sizes.values())
    group_counts = {g: Counter[str]() for g in drawn}
    for g in drawn:
        for r in members[g]:
            group_counts[g].update(corpus.words[r])

    shown_all: set[str] = set()
    shown_in: dict[str, set[str]] = {g: set() for g in drawn}
    withheld = dropped = 0
    for word, count in counts_all.items():
        if count < k:
            continue
        parts = {g: group_counts[g][word] for g in drawn}
        parts[rest] = count - sum(parts.values())
        visible, in_all = _protect_parts(count, parts, part_sizes, set(drawn), k)
        withheld += sum(1 for g in drawn if parts[g] >= k and g not in visible)
        if in_all:
            shown_all.add(word)
        else:
            dropped += 1
        for g in visible:
            shown_in[g].add(word)
    if withheld:
        notes.append(
            f"{withheld} time(s) a word used by {k} or more in a group was left out of that "
            "group's cloud, so that counts under k cannot be worked out by comparing clouds"
        )
    if dropped:
        notes.append(
            f"{dropped} word(s) used by {k} or more left out of every cloud, for the same reason"
        )

    out = {ALL: _result(counts_all, shown_all, len(respondents), notes)}
    for g in sorted(drawn):
        out[g] = _result(group_counts[g], shown_in[g], sizes[g], notes)
    return out


def _result(
    counts: Counter[str], shown: set[str], respondents: int, notes: list[str]
) -> WordCloudResult:
    frequencies = _frequencies(counts, shown, respondents)
    png, svg = render(frequencies)
    return WordCloudResult(frequencies, respondents, png, svg, list(notes))


def _groups(frame: pd.DataFrame, column: str, ids: Sequence[Hashable]) -> dict[Hashable, str]:
    """Each respondent's group (cleaned label); refuses "All" and conflicting groups."""
    labels = clean_labels(frame[column].astype(object))
    out: dict[Hashable, str] = {}
    for respondent, value, raw in zip(ids, labels, frame[column], strict=True):
        if pd.isna(raw):
            continue
        if str(value).strip().casefold() == ALL.casefold():
            raise AnalysisError(
                f"group {value!r} in column '{clean_label(column)}' uses the name of the "
                f"overall cloud {ALL!r}; rename it"
            )
        if out.setdefault(respondent, value) != value:
            raise AnalysisError(
                f"respondent {clean_label(respondent)!r} is in two groups of "
                f"'{clean_label(column)}' ({out[respondent]!r} and {value!r})"
            )
    return out


def save_word_cloud(result: WordCloudResult, directory: Path, stem: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{stem}.png", directory / f"{stem}.svg", directory / f"{stem}.csv"]
    paths[0].write_bytes(result.png)
    paths[1].write_text(result.svg, encoding="utf-8")
    write_csv(result.frequencies, paths[2], index=False)
    return paths
