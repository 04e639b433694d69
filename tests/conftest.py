"""Shared fixtures: the real corpus (skipped when absent), a real corpus-server on loopback, a small ministry
site, an empty store on each engine (SQLite and PostgreSQL), the web app over the archive a test module builds,
and the archives of the day and speaker pages (a made-up one, and a week of real China MFA conferences).

Plain helpers (paths, the command line, builders) live in helpers.py; test modules import that, never this file
or one another (test_layout checks)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import (AUGUST_2019, CHINA_WEEK, CHINA_WEEK_EN, CORPUS, DAYS_ARCHIVE, NAMES_ARCHIVE, PAIR_EN, PAIR_ZH,
                     RUNS_ARCHIVE, build_archive, cli, corpus_statement, present, start_corpus_server)

from archive.datadir import STORE_ENV_VAR, open_datadir
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


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "pg"])
def store_url(request, tmp_path) -> str:
    """The URL of a new, empty store: a SQLite file of its own, then a PostgreSQL database of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.sqlite'}"
    return request.getfixturevalue("pg_url")


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
def store(store_url):
    """An empty store, on each engine."""
    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"], ids=["sqlite", "pg"])
def archive_engine(request) -> str | None:
    """For an archive a test module builds once: None (the data folder's SQLite file), then the URL of a
    PostgreSQL database of its own."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "pg"])
def store_engine(request, monkeypatch) -> str:
    """Which engine the command line (and helpers.archive_store) keeps the store in: the data folder's
    SQLite file, then a fresh PostgreSQL database through $POLICY_ARCHIVE_STORE."""
    if request.param == "postgresql":
        monkeypatch.setenv(STORE_ENV_VAR, request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv(STORE_ENV_VAR, raising=False)
    return request.param


@pytest.fixture
def corpus_server(corpus):
    server = start_corpus_server()
    yield server
    server.stop()


# the web app over the archive a test module builds in its own `archive_dir` fixture (whose store is in the
# database `archive_engine` gives, when archive_dir takes that fixture)
@pytest.fixture
def app(archive_dir, request):
    store = request.getfixturevalue("archive_engine") if "archive_engine" in request.fixturenames else None
    app = create_app(archive_dir, {"TESTING": True, "STORE": store})
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
def august_2019(corpus, tmp_path_factory) -> Path:
    """A data folder of the China MFA's conferences of August 2019 in Chinese and English, stored through the
    save step (which links the versions), indexed, and its lexicon built by `policy-archive lexicon build`."""
    dd = open_datadir(tmp_path_factory.mktemp("august-2019"), create=True)
    store = Store(dd.db_url)
    present(store, *(corpus_statement(url) for url in AUGUST_2019))
    sync_index(store, dd.index_dir)
    store.close()
    built = cli(dd.root, "lexicon", "build", "-q")
    assert built.returncode == 0, built.stderr
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
