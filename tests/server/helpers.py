"""Helpers shared by the API tests."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient


def wait_for_job(client: TestClient, job_id: int) -> dict:
    """Poll a job until it ends (two minutes at most); return its JSON."""
    for _ in range(1200):
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")
