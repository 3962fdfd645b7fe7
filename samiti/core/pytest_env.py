"""Loaded by pytest before Django reads its settings (see pyproject.toml): development defaults."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-key")
