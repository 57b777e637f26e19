"""Alembic migrations of the studio's database, shipped inside the package."""
