"""The studio's REST API (FastAPI) and ``run_server``, which ``goldlabel serve`` calls."""

from __future__ import annotations

from goldlabel.server.app import create_app
from goldlabel.server.run import is_loopback, run_server

__all__ = ["create_app", "is_loopback", "run_server"]
