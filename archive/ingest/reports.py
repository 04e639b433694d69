"""What a crawl, an import and a rebuild report: counts per source or per file, and the messages a reader
acts on. The pipeline counts into them; the command line prints them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

class ImportFileError(Exception):
    """A file that cannot be imported; the message names the file (and the line), and nothing of it was."""


# the outcomes of storing one statement (store.SaveResult.outcome)
OUTCOMES = ("new", "changed", "unchanged")


class Tally:
    """What every report can be told by the pipeline: an outcome to count, an error to count and show."""
    errors: int
    messages: list[str]

    def count(self, outcome: str):
        setattr(self, outcome, getattr(self, outcome) + 1)

    def error(self, message: str):
        self.errors += 1
        self.messages.append(message)


# the counts of a SourceReport that summaries show, in their order
COLUMNS = ("found", "fetched", "not_modified", "new", "changed", "unchanged", "skipped", "rechecked", "withdrawn",
           "challenged", "errors", "warnings")


@dataclass
class SourceReport(Tally):
    """One crawl of one source."""
    source: str
    found: int = 0          # links and feed items seen on listing pages
    fetched: int = 0        # pages fetched with a full response (200)
    not_modified: int = 0   # conditional requests answered 304
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0        # links older than the window, already in the archive, or owed and not due yet
    errors: int = 0
    rechecked: int = 0      # known articles fetched again for edits and take-downs
    withdrawn: int = 0      # statements whose page now answers 404 or 410
    challenged: int = 0     # answers that were an anti-bot challenge page instead of the page: tried again later
    warnings: int = 0       # pages read by a fallback (the template may be changing), statements stored undated
    owed: int = 0           # after the crawl: pages seen and not stored yet, which the next crawl tries again
    given_up: int = 0       # never-stored pages that kept answering 404/410: no longer tried, still listed
    # ok; partial (some errors); failed (nothing could be fetched); broken (pages came, but the source's
    # selectors fit none of them: the site's template changed); interrupted
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    parsed_listings: int = field(default=0, repr=False)
    parsed_articles: int = field(default=0, repr=False)
    extract_errors: int = field(default=0, repr=False)

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k not in ("parsed_listings", "parsed_articles", "extract_errors")}

    def settle(self):
        if self.status == "interrupted":
            return
        articles_failed = self.extract_errors and not self.parsed_articles
        if self.extract_errors and (not self.parsed_listings or articles_failed):
            self.status = "broken"
        elif self.fetched + self.not_modified == 0:
            self.status = "failed"
        elif self.errors or self.challenged:
            self.status = "partial"


# the counts of a FileReport, in the order the summary prints them
COUNTS = ("records", "responses", "parsed", "new", "changed", "unchanged", "withdrawn", "skipped_unknown_host",
          "skipped_bad_body", "errors")


@dataclass
class FileReport(Tally):
    """One WARC file read by `import` or `rebuild`."""
    file: str
    records: int = 0
    responses: int = 0
    parsed: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped_unknown_host: int = 0
    # bodies that do not decompress within the cap (a gzip or deflate bomb) or at all (damaged)
    skipped_bad_body: int = 0
    errors: int = 0
    damaged: list[dict] = field(default_factory=list)   # {"offset", "reason"}, offsets in `file`
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def total(cls, name: str, reports: list[FileReport]) -> FileReport:
        out = cls(name)
        for r in reports:
            for k in COUNTS:
                setattr(out, k, getattr(out, k) + getattr(r, k))
            out.damaged += r.damaged
            out.messages += r.messages
        return out

    def damage(self, offset: int, reason: str) -> None:
        self.damaged.append({"offset": offset, "reason": reason})
        self.messages.append(f"{self.file}: damaged record at byte offset {offset} ({reason}); "
                             f"the records around it were read")


@dataclass
class LinesReport:
    """One JSON Lines file imported. It lands whole or not at all (a bad line is an ImportFileError), so it
    has no errors: only how many statements it held, and their outcomes."""
    file: str
    statements: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def count(self, outcome: str):
        self.outcomes[outcome] += 1

    def to_json(self) -> dict:
        return {"file": self.file, "statements": self.statements, **self.outcomes}
