"""Small builders for the studio's tests."""

from __future__ import annotations

import pandas as pd

from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.service.importing import import_dataset
from goldlabel.service.projects import create_project
from goldlabel.store import Database


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def make_project(
    db: Database,
    n_rows: int = 200,
    *,
    labeled_fraction: float = 0.5,
    noise: float = 0.0,
    random_state: int = 0,
) -> tuple[int, int]:
    """(dataset id, project id) of a generated news project."""
    frame, _ = generate_news_frame(
        n_rows, labeled_fraction=labeled_fraction, noise=noise, random_state=random_state
    )
    with db.write() as session:
        ds = import_dataset(session, csv_bytes(frame), filename="news.csv")
        project = create_project(session, ds.id, name="news", classes=list(NEWS_CLASSES))
        return ds.id, project.id
