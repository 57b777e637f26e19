"""The demo project, built offline: generated news-style texts in four classes, partly labeled.

The texts come from small per-class vocabularies mixed with shared filler words, so a model can learn
the classes but not perfectly; a fraction of the given labels is flipped on purpose.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.store.database import Database
from goldlabel.store.tables import Project

__all__ = ["NEWS_CLASSES", "create_demo_project", "generate_news_frame"]

NEWS_CLASSES = ("World", "Sports", "Business", "Sci/Tech")
_VOCAB = {
    "World": "minister election government president embassy troops border talks treaty parliament "
    "refugees summit protest capital diplomats ceasefire vote sanctions",
    "Sports": "team coach season match goal championship league player score victory tournament "
    "olympic injury final striker stadium medal cup",
    "Business": "shares profit market stocks investors quarter earnings bank merger economy prices "
    "revenue oil dollar deal company growth inflation",
    "Sci/Tech": "software internet computer researchers space launch chip wireless users data "
    "network scientists browser phone robot satellite study virus",
}
_FILLER = (
    "the a new on in after over says report week year first today officials plans group "
    "amid record big local late early more"
).split()


def generate_news_frame(
    n_rows: int,
    *,
    labeled_fraction: float = 1.0,
    noise: float = 0.0,
    random_state: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate an AG-News-style table: ``id``, ``title``, ``description``, ``label``.

    Parameters
    ----------
    n_rows
        Rows to generate.
    labeled_fraction
        Share of rows whose label is given (at least one per class); the rest have an empty label.
    noise
        Share of the given labels flipped to another class.
    random_state
        Seed.

    Returns
    -------
    frame, true_labels
        The table (``label`` holds the given, possibly flipped, class name or None) and the true class
        index of every row.

    Examples
    --------
    >>> frame, truth = generate_news_frame(8, labeled_fraction=0.5)
    >>> list(frame.columns), int(frame["label"].notna().sum())
    (['id', 'title', 'description', 'label'], 4)
    """
    rng = np.random.default_rng(random_state)
    k = len(NEWS_CLASSES)
    truth = rng.integers(0, k, n_rows)
    vocab = [np.array(_VOCAB[c].split()) for c in NEWS_CLASSES]
    filler = np.array(_FILLER)
    titles, bodies = [], []
    for y in truth:
        own = vocab[y][rng.integers(0, vocab[y].size, 9)]
        other = vocab[rng.integers(0, k)][rng.integers(0, vocab[0].size, 3)]
        fill = filler[rng.integers(0, filler.size, 8)]
        words = np.concatenate([own, other, fill])
        rng.shuffle(words)
        titles.append(" ".join(words[:5]).capitalize())
        bodies.append(" ".join(words[5:]) + ".")
    n_labeled = max(k, round(labeled_fraction * n_rows)) if labeled_fraction > 0 else 0
    labeled = np.zeros(n_rows, dtype=bool)
    if n_labeled:
        first = [int(np.flatnonzero(truth == c)[0]) for c in range(k) if (truth == c).any()]
        rest = rng.permutation(np.setdiff1d(np.arange(n_rows), first))[
            : max(0, n_labeled - len(first))
        ]
        labeled[first] = True
        labeled[rest] = True
    given = truth.copy()
    flip = labeled & (rng.random(n_rows) < noise)
    given[flip] = (truth[flip] + rng.integers(1, k, int(flip.sum()))) % k
    labels = [NEWS_CLASSES[g] if is_l else None for g, is_l in zip(given, labeled, strict=True)]
    frame = pd.DataFrame(
        {"id": np.arange(1, n_rows + 1), "title": titles, "description": bodies, "label": labels}
    )
    return frame, truth


def create_demo_project(db: Database, *, n_rows: int = 2000, random_state: int = 0) -> Project:
    """Import a generated news dataset (25 % labeled, 8 % of those flipped) and create its project."""
    frame, _ = generate_news_frame(
        n_rows, labeled_fraction=0.25, noise=0.08, random_state=random_state
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    with db.write() as session:
        dataset = import_dataset(
            session,
            buffer.getvalue().encode(),
            filename="demo-news.csv",
            name="Demo: news",
            user="demo",
        )
        return create_project(
            session,
            dataset.id,
            name="Demo: news topics",
            classes=list(NEWS_CLASSES),
            instructions="Pick the topic the article is mainly about.",
            examples={
                "World": "Ministers meet at the border summit",
                "Sports": "Striker scores twice in the cup final",
                "Business": "Shares rise after quarterly earnings beat",
                "Sci/Tech": "Researchers launch a new wireless chip",
            },
            user="demo",
        )
