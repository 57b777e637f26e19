"""Fixtures of the audit tests."""

from __future__ import annotations

import pytest

from tests.audit.datasets import Blobs, make_blobs


@pytest.fixture(scope="module")
def blobs() -> Blobs:
    return make_blobs(600, seed=3)
