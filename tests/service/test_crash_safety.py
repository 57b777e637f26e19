"""A process killed (SIGKILL) in the middle of a batch action or an import leaves the database consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from goldlabel.service.demo import generate_news_frame
from goldlabel.store import open_database
from goldlabel.store.tables import Action, Dataset, DatasetRow, RowState
from tests.service.helpers import make_project
from tests.service.invariants import check_log_accounts_for_state

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]

CHILD = textwrap.dedent(
    """
    import sys
    from goldlabel.store import open_database
    from goldlabel.service.actions import apply_action
    from goldlabel.service.importing import import_dataset
    from goldlabel.service.rows import RowFilter

    db = open_database(data_dir=sys.argv[1])
    if sys.argv[2] == "batch":
        pid = int(sys.argv[3])
        for i in range(1000):
            with db.write() as s:
                label = ["World", "Sports"][i % 2]
                apply_action(s, pid, kind="label", user=f"run{i}", row_filter=RowFilter(), label=label)
            print("committed", i, flush=True)
    else:
        data = open(sys.argv[3], "rb").read()
        print("start", flush=True)
        with db.write() as s:
            import_dataset(s, data, filename="big.csv")
        print("done", flush=True)
    """
)


def _child(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )


def test_kill_during_batch_actions(tmp_path: Path) -> None:
    db = open_database(data_dir=tmp_path / "data")
    _, pid = make_project(db, 30_000, labeled_fraction=0.0)
    child = _child(tmp_path, str(tmp_path / "data"), "batch", str(pid))
    assert child.stdout is not None
    assert child.stdout.readline().startswith("committed 0")
    assert child.stdout.readline().startswith("committed 1")
    time.sleep(0.15)  # well inside the next batch (each takes longer than this here)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    assert child.returncode == -signal.SIGKILL
    db = open_database(data_dir=tmp_path / "data")
    with db.read() as s:
        labels = s.execute(
            select(RowState.label, func.count())
            .where(RowState.project_id == pid)
            .group_by(RowState.label)
        ).all()
        n_actions = s.scalar(select(func.count()).select_from(Action))
    assert (
        len(labels) == 1 and labels[0][1] == 30_000
    )  # every row got the last committed batch, all of it
    assert n_actions >= 2
    check_log_accounts_for_state(db, pid)
    db.dispose()


def test_kill_during_import(tmp_path: Path) -> None:
    frame, _ = generate_news_frame(5_000, random_state=1)
    path = tmp_path / "big.csv"
    big = pd.concat([frame] * 60, ignore_index=True)
    big["id"] = range(len(big))
    big.to_csv(path, index=False)
    db = open_database(data_dir=tmp_path / "data")
    db.dispose()
    child = _child(tmp_path, str(tmp_path / "data"), "import", str(path))
    assert child.stdout is not None
    assert child.stdout.readline().startswith("start")
    time.sleep(0.5)  # parsing and inserting 300,000 rows takes longer than this
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    assert "done" not in (child.stdout.read() or "")  # killed in the middle
    db = open_database(data_dir=tmp_path / "data")
    with db.read() as s:
        datasets = s.scalars(select(Dataset)).all()
        n_rows = s.scalar(select(func.count()).select_from(DatasetRow))
    assert datasets == [] and n_rows == 0
    db.dispose()
