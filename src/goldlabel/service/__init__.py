"""The studio's use-cases: plain Python over a database session, no HTTP."""

from __future__ import annotations
