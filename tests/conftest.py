"""Shared fixtures: the real corpus (skipped when absent), a real corpus-server on loopback, a small ministry
site, an empty store, and the web app over the archive a test module builds.

Plain helpers (paths, the command line, builders) live in helpers.py; test modules import that, never this file
or one another (test_layout checks)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import CORPUS, start_corpus_server, store_at

from archive.web import create_app
from archive.web.backend import EXTENSION


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS} (tests on real data need ../shared beside the checkout)")
    return CORPUS


@pytest.fixture
def site():
    """A small ministry site on loopback: 20 articles a day apart up to today, 15 to a listing page."""
    from sitefixture import MinistrySite
    s = MinistrySite(n=20, per_page=15, newest=date.today())
    yield s
    s.close()


@pytest.fixture
def store(tmp_path):
    """An empty store in a SQLite file of its own."""
    return store_at(tmp_path / "a.sqlite")


@pytest.fixture
def corpus_server(corpus):
    server = start_corpus_server()
    yield server
    server.stop()


# the web app over the archive a test module builds in its own `archive_dir` fixture
@pytest.fixture
def app(archive_dir):
    app = create_app(archive_dir, {"TESTING": True})
    yield app
    app.extensions[EXTENSION].close()


@pytest.fixture
def client(app):
    return app.test_client()
