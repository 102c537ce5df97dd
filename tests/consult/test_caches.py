"""The app's caches: bounded, one set per app (so each test's app starts empty), emptied when
the app shuts down."""

from __future__ import annotations

from consult.caches import AppCache, Bounded


def test_a_bounded_map_keeps_the_most_recently_used_entries() -> None:
    kept: Bounded[str, int] = Bounded(size=2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2


def test_clearing_the_app_cache_empties_every_map() -> None:
    class Key:
        pass

    cache = AppCache(size=4)
    cache.bounded("definitions").put("v1", "parsed")
    key = Key()
    cache.weak("help_panels")[key] = "html"
    cache.clear()
    assert len(cache.bounded("definitions")) == 0
    assert key not in cache.weak("help_panels")


def test_each_app_has_caches_of_its_own(settings) -> None:
    from app import create_app

    first, second = create_app(settings), create_app(settings)
    assert first.state["cache"] is not second.state["cache"]
    assert first.state["store"].cache is first.state["cache"]
    first.state["cache"].bounded("definitions").put("v1", "parsed")
    assert second.state["cache"].bounded("definitions").get("v1") is None
