"""Shared fixtures: the real corpus (skipped when absent), a real corpus-server on loopback, a small ministry
site, an empty store, the web app over the archive a test module builds, and the archives of the day and speaker
pages (a made-up one, and a week of real China MFA conferences).

Plain helpers (paths, the command line, builders) live in helpers.py; test modules import that, never this file
or one another (test_layout checks)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import (CHINA_WEEK, CHINA_WEEK_EN, CORPUS, DAYS_ARCHIVE, NAMES_ARCHIVE, PAIR_EN, PAIR_ZH, RUNS_ARCHIVE,
                     build_archive, cli, corpus_statement, present, start_corpus_server, store_at)

from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.search.searcher import Searcher
from archive.store import Store
from archive.web import create_app
from archive.web.backend import EXTENSION


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS} (tests on real data need ../shared beside the checkout)")
    return CORPUS


@pytest.fixture(scope="module")
def runs_searcher(tmp_path_factory):
    """A searcher over RUNS_ARCHIVE."""
    root = build_archive(tmp_path_factory.mktemp("runs"), RUNS_ARCHIVE)
    searcher = Searcher(open_datadir(root, create=False).index_dir)
    yield searcher
    searcher.close()


@pytest.fixture(scope="module")
def pair(corpus):
    """The China MFA's conference of 21 January 2020 as its Chinese and English pages give it."""
    return corpus_statement(PAIR_ZH), corpus_statement(PAIR_EN)


@pytest.fixture
def site():
    """A small ministry site on loopback: 20 articles a day apart up to today, 15 to a listing page."""
    from sitefixture import MinistrySite
    s = MinistrySite(n=20, per_page=15, newest=date.today())
    yield s
    s.close()


@pytest.fixture(scope="module")
def crawled_site(tmp_path_factory) -> Path:
    """A data folder holding one real crawl (through the command line) of the small ministry site: 20
    statements and the WARC captures of their pages, listings and robots.txt. Tests that change it copy it."""
    from sitefixture import MinistrySite
    s = MinistrySite(n=20, per_page=15, newest=date.today())
    data = tmp_path_factory.mktemp("crawled-site") / "data"
    try:
        proc = cli(data, "crawl", "cn-mfa-zh", "--offline", "--delay", "0", *s.mirror_args)
    finally:
        s.close()
    assert proc.returncode == 0, proc.stderr
    return data


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


@pytest.fixture(scope="session")
def days_archive(tmp_path_factory) -> Path:
    """A data folder of a few ministries' statements around one busy day, for the day and speaker pages."""
    return build_archive(tmp_path_factory.mktemp("days"), DAYS_ARCHIVE)


@pytest.fixture(scope="session")
def names_archive(tmp_path_factory) -> Path:
    """A data folder with a statement on Taiwan in English, Chinese and Russian, and two on other things."""
    return build_archive(tmp_path_factory.mktemp("names"), NAMES_ARCHIVE)


@pytest.fixture(scope="session")
def china_week(corpus, tmp_path_factory) -> Path:
    """A data folder of a week of real China MFA conferences, stored through the save step, and indexed."""
    dd = open_datadir(tmp_path_factory.mktemp("china-week"), create=True)
    store = Store(dd.db_url)
    present(store, *(corpus_statement(url) for url in [*CHINA_WEEK, CHINA_WEEK_EN]))
    sync_index(store, dd.index_dir)
    store.close()
    return dd.root


@pytest.fixture(scope="session")
def postgres():
    """A throw-away PostgreSQL server for the session (skipped when the server binaries are absent)."""
    from pgserver import PostgresServer, server_bin
    if server_bin() is None:
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql; .ci/run does)")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return postgres.new_database()
