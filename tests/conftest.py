"""Shared fixtures: the real corpus (skipped when absent), a real corpus-server on loopback, and the web app
over the archive a test module builds."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from archive.web import create_app
from archive.web.backend import EXTENSION

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
CORPUS_SERVER = SHARED / "tools" / "corpus-server"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS} (tests on real data need ../shared beside the checkout)")
    return CORPUS


class CorpusServer:
    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, str(CORPUS_SERVER), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.proc.kill()
            raise RuntimeError(f"corpus-server did not start: {line!r}")
        self.url = line.split("listening on ", 1)[1]

    def mirror(self, canonical: str) -> str:
        """--mirror value mapping a canonical origin (https://host) to this server."""
        host = canonical.split("://", 1)[1].rstrip("/")
        return f"{canonical}={self.url}/{host}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start_corpus_server(*args: str) -> CorpusServer:
    if not CORPUS_SERVER.exists():
        pytest.skip(f"corpus-server not found at {CORPUS_SERVER} (needs ../shared beside the checkout)")
    return CorpusServer(*args)


@pytest.fixture
def site():
    """A small ministry site on loopback: 20 articles a day apart up to today, 15 to a listing page."""
    from sitefixture import MinistrySite
    s = MinistrySite(n=20, per_page=15, newest=date.today())
    yield s
    s.close()


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
