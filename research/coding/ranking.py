"""The coding queue's order, stored as a rank on every suggestion: the responses most worth a
person's time first.

With a learned model, the first places go to :func:`analysis.learning.next_batch` (uncertain
responses, diverse, with a share for rare-theme discovery); after them every other response,
least certain first; answers a person has coded already come last. The queue retrains after
every ten decisions (research.coding.queue_pages), which ranks again, so a batch of
``QUEUE_SIZE`` covers several rounds of coding between retrains.

next_batch is called with every response and the model's probabilities for all of them (it
reads only a few hundred candidates beyond its per-row arithmetic): measured at 100,000
responses in docs/performance.md, so no pre-selection by uncertainty is needed.

Without a model (rules only): answers no rule matched first, then the rest, each in the order
received: an uncovered answer is where a person adds most.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.coding import QUEUE_SIZE
from analysis.learning import ThemeModel, next_batch, uncertainty

# Without a model, answers no rule matched are the ones a person most needs to see.
UNCOVERED_UNCERTAINTY = 1.0
COVERED_UNCERTAINTY = 0.2


def rule_uncertainty(covered: np.ndarray) -> np.ndarray:
    return np.where(covered, COVERED_UNCERTAINTY, UNCOVERED_UNCERTAINTY)


def model_uncertainty(model: ThemeModel, probabilities: np.ndarray) -> np.ndarray:
    frame = pd.DataFrame(probabilities, columns=model.themes)
    return uncertainty(frame, model.threshold, model.at_least_one).to_numpy()


def ranks_from_order(order: np.ndarray) -> np.ndarray:
    """Rank of each row (0 first) from the rows in queue order."""
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def queue_ranks(
    unc: np.ndarray,
    coded: np.ndarray,
    batch: Sequence[int] | np.ndarray = (),
) -> np.ndarray:
    """Ranks: ``batch`` rows in their order, then least certain first (ties in the order
    received), rows coded by a person last."""
    n = len(unc)
    group = np.where(coded, 2, 1)
    batch_rows = np.asarray(list(batch), dtype=np.int64)
    group[batch_rows] = 0
    place = np.zeros(n, dtype=np.int64)
    place[batch_rows] = np.arange(len(batch_rows))
    # lexsort: the last key is the primary one.
    order = np.lexsort((np.arange(n), -np.round(unc, 4), place, group))
    return ranks_from_order(order)


def learned_ranks(
    model: ThemeModel,
    texts: Sequence[str],
    coded: np.ndarray,
    probabilities: np.ndarray,
    unc: np.ndarray,
    size: int = QUEUE_SIZE,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Ranks with next_batch's choice first; also the batch (row, reason, uncertainty, theme)."""
    batch = next_batch(model, texts, coded, size, scores=probabilities)
    rows = batch["row"].to_numpy(dtype=np.int64)
    return queue_ranks(unc, coded, rows), batch
