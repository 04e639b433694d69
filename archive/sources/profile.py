"""Declarative sources: a ministry whose site is "listing pages → article pages" is one TOML file."""
from __future__ import annotations

from pathlib import Path

PROFILE_DIR = Path(__file__).parent / "profiles"


def load_profiles() -> list:
    return []
