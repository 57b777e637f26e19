from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from goldlabel.client import ApiError, GoldlabelClient
from goldlabel.exceptions import ConflictError, DataValidationError, NotFoundError
from goldlabel.server import create_app
from goldlabel.service.demo import NEWS_CLASSES, generate_news_frame
from goldlabel.service.engines import BaselineEngine
from goldlabel.store import Database


def test_client_drives_the_whole_workflow(sqlite_db: Database, tmp_path: Path) -> None:
    frame, _ = generate_news_frame(200, labeled_fraction=0.4, noise=0.05)
    path = tmp_path / "news.csv"
    frame.to_csv(path, index=False)
    with TestClient(create_app(sqlite_db, engine_factory=BaselineEngine)) as http:
        client = GoldlabelClient(http=http, user="ana")
        assert client.health()["database"] == "sqlite"
        ds = client.upload_dataset(path, name="news")
        assert ds["name"] == "news" and ds["n_rows"] == 200
        project = client.create_project(ds["id"], name="news", instructions="topic")
        pid = project["id"]
        job = client.wait_for_job(client.start_analysis(pid)["id"], timeout=120)
        assert job["status"] == "succeeded"
        page = client.list_rows(
            pid, issue=["label"], sort="label_issue_score", order="desc", limit=5
        )
        assert page["total"] >= 1
        row = client.list_rows(pid, unlabeled=True, limit=1)["rows"][0]
        done = client.act(
            pid,
            "label",
            row_ids=[row["row_id"]],
            label="World",
            expected_versions={row["row_id"]: 0},
        )
        with pytest.raises(ConflictError, match="changed since you loaded them") as info:
            client.act(
                pid,
                "label",
                row_ids=[row["row_id"]],
                label="Sports",
                expected_versions={row["row_id"]: 0},
            )
        assert info.value.current[0]["label"] == "World"
        client.undo(pid, done["action_id"])
        assert [a["kind"] for a in client.list_actions(pid)] == ["undo", "label"]
        assert (
            client.act(pid, "tag", filter={"issue": ["label"]}, tag="check")["n_rows"]
            == page["total"]
        )
        assert b"label_source" in client.export(pid, file_format="csv").splitlines()[0]
        model_job = client.wait_for_job(client.train_model(pid)["id"], timeout=120)
        client.deploy_model(model_job["result"]["model_id"])
        predictions = client.predict(
            pid, [{"title": "Striker scores in the cup final", "description": "league match"}]
        )
        assert predictions[0]["label"] == "Sports"
        with pytest.raises(NotFoundError, match="project 99 does not exist"):
            client.get_project(99)
        with pytest.raises(DataValidationError, match="is malformed"):
            client.upload_dataset(b"a,b\n1,2,3\n", filename="bad.csv")
        with pytest.raises(ApiError, match="HTTP 422"):
            client.create_project(ds["id"], name="")
        assert client.cancel_job(job["id"])["status"] == "succeeded"


def test_annotators_and_consensus_through_the_client(sqlite_db: Database) -> None:
    frame, _ = generate_news_frame(30, labeled_fraction=0.0)
    with TestClient(create_app(sqlite_db, engine_factory=BaselineEngine)) as http:
        clients = {who: GoldlabelClient(http=http, user=who) for who in ("ana", "bob", "cy")}
        ana = clients["ana"]
        ds = ana.upload_dataset(frame.to_csv(index=False).encode(), filename="news.csv")
        pid = ana.create_project(ds["id"], name="news", classes=list(NEWS_CLASSES))["id"]
        rows = [r["row_id"] for r in ana.list_rows(pid, limit=6)["rows"]]
        for i, row_id in enumerate(rows):
            for who, client in clients.items():
                # cy disagrees on every other row
                label = "Sports" if who == "cy" and i % 2 else "World"
                assert client.annotate(pid, row_id, label)["annotator"] == who
        assert len(ana.list_annotations(pid)) == 18
        mine = ana.list_rows(pid, annotated_by="ana", limit=30)
        assert sorted(r["row_id"] for r in mine["rows"]) == sorted(rows)
        assert ana.list_rows(pid, not_annotated_by="ana", limit=1)["total"] == 30 - 6
        assert clients["bob"].remove_annotation(pid, rows[0])
        assert not clients["bob"].remove_annotation(pid, rows[0])
        assert ana.list_rows(pid, not_annotated_by="bob", row_id=[rows[0]])["total"] == 1
        clients["bob"].annotate(pid, rows[0], "World")
        assert {a["annotator"] for a in ana.list_annotations(pid, row_id=rows[1])} == set(clients)
        consensus = ana.consensus(pid, use_model=False)
        assert consensus["method"] == "crowdlab"
        assert {r["consensus_label"] for r in consensus["rows"]} == {"World"}
        assert consensus["annotators"][0]["annotator"] == "cy"  # worst first
        accepted = ana.accept_consensus(pid, row_ids=rows[:4], use_model=False)
        assert accepted["n_rows"] == 4 and len(accepted["actions"]) == 1
        labels = {r["row_id"]: r["label"] for r in ana.list_rows(pid, limit=30)["rows"]}
        assert [labels[r] for r in rows] == ["World"] * 4 + [None, None]
        with pytest.raises(DataValidationError, match="have no annotations"):
            ana.accept_consensus(pid, row_ids=[rows[-1] + 100])
        votes = pd.DataFrame({"row_id": rows[4:], "annotator": "dan", "label": "Business"})
        got = ana.import_annotations(pid, votes.to_csv(index=False).encode(), filename="dan.csv")
        assert got["n_annotations"] == 2 and got["annotators"] == ["dan"]
        assert {a["annotator"] for a in ana.list_annotations(pid, row_id=rows[5])} == {
            "ana",
            "bob",
            "cy",
            "dan",
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_run_server_demo_over_real_http(tmp_path: Path) -> None:
    port = _free_port()
    code = (
        "from goldlabel.server import run_server; "
        f"run_server(port={port}, data_dir={str(tmp_path)!r}, demo=True)"
    )
    server = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    try:
        client = GoldlabelClient(f"http://127.0.0.1:{port}", user="ana", timeout=10)
        for _ in range(300):
            try:
                client.health()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        projects = client.http.get("/api/projects").json()
        assert projects[0]["name"] == "Demo: news topics"
        assert projects[0]["n_rows"] == 2000
        assert client.list_rows(projects[0]["id"], status=["labeled"], limit=1)["total"] == 500
        client.close()
    finally:
        server.terminate()
        server.wait(30)
