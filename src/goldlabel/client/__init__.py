"""A Python client for the studio's REST API."""

from __future__ import annotations

from goldlabel.client.api import ApiError, GoldlabelClient

__all__ = ["ApiError", "GoldlabelClient"]
