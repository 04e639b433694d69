"""The data directory: the one folder that holds the store, the index and the captures.

The store may live elsewhere instead, in a PostgreSQL database shared by several machines (`--store`); the
index and the captures stay in the folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "POLICY_ARCHIVE_DATA"
DEFAULT = "archive-data"
STORE_ENV_VAR = "POLICY_ARCHIVE_STORE"


class DataDirError(Exception):
    pass


@dataclass(frozen=True)
class DataDir:
    root: Path
    # the database URL of a store kept outside the folder; None for the embedded SQLite file
    store: str | None = None

    @property
    def embedded(self) -> bool:
        return self.store is None

    @property
    def db_path(self) -> Path:
        """The embedded store's file (unused when `store` is set)."""
        return self.root / "archive.sqlite"

    @property
    def db_url(self) -> str:
        return self.store or f"sqlite:///{self.db_path}"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def captures_dir(self) -> Path:
        return self.root / "captures"

    @property
    def lexicon_path(self) -> Path:
        # words across languages, mined from the store (archive.search.lexicon)
        return self.root / "lexicon.json"


def resolve(option: str | None) -> Path:
    """--data-dir, else $POLICY_ARCHIVE_DATA, else ./archive-data."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT).expanduser()


def resolve_store(option: str | None) -> str | None:
    """--store, else $POLICY_ARCHIVE_STORE, else None (the data folder's own SQLite file)."""
    return option or os.environ.get(STORE_ENV_VAR) or None


def open_datadir(path: Path, create: bool, store: str | None = None) -> DataDir:
    """Check the folder is usable before anything touches it, so failures are one clear line.

    Commands that write (crawl, import) create the folder; commands that only read refuse a missing one
    rather than serve an empty archive from a mistyped path.
    """
    path = path.resolve()
    if path.exists() and not path.is_dir():
        raise DataDirError(f"data directory {path} is not a folder")
    if not path.exists():
        if not create:
            raise DataDirError(
                f"data directory {path} does not exist; run 'policy-archive crawl' or 'policy-archive import' "
                f"first, or choose another with --data-dir or ${ENV_VAR}")
        try:
            path.mkdir(parents=True)
        except OSError as e:
            raise DataDirError(f"cannot create data directory {path}: {e.strerror}") from None
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataDirError(f"data directory {path} is not readable")
    if create and not os.access(path, os.W_OK):
        raise DataDirError(f"data directory {path} is not writable")
    d = DataDir(path, store)
    for sub in (d.index_dir, d.captures_dir):
        if create:
            sub.mkdir(exist_ok=True)
    return d
