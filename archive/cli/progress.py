"""Progress on the terminal (standard error) and the end-of-run summary."""
from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ..ingest.reports import COLUMNS


def report_table(reports, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("source")
    for c in COLUMNS:
        table.add_column(c.replace("_", " "), justify="right")
    table.add_column("status")
    for r in reports:
        table.add_row(r.source, *(f"{getattr(r, c):,}" for c in COLUMNS), r.status)
    return table


class CrawlProgress:
    """A live table on a terminal; on a pipe or log file, one line per source every few seconds."""

    def __init__(self, enabled: bool = True):
        self.console = Console(stderr=True)
        self.reports: dict[str, object] = {}
        self.live = None
        self.enabled = enabled
        self.tty = enabled and self.console.is_terminal
        self._last_line = 0.0

    def __enter__(self):
        if self.tty:
            self.live = Live(report_table([]), console=self.console, refresh_per_second=4, transient=True)
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.__exit__(*exc)

    def update(self, report):
        self.reports[report.source] = report
        if self.live:
            self.live.update(report_table(self.reports.values(), "crawling"))
        elif self.enabled and (time.monotonic() - self._last_line > 5 or report.status != "ok"):
            self._last_line = time.monotonic()
            counts = " ".join(f"{c.replace('_', '-')}={getattr(report, c)}" for c in COLUMNS)
            print(f"{report.source}: {counts}", file=sys.stderr, flush=True)


def summary_lines(reports) -> list[str]:
    """A plain aligned table: it reads the same in a terminal, a pipe and a log file."""
    heads = ["source", *(c.replace("_", "-") for c in COLUMNS), "status"]
    rows = [[r.source, *(f"{getattr(r, c):,}" for c in COLUMNS), r.status] for r in reports]
    widths = [max(len(x) for x in col) for col in zip(heads, *rows)]
    fmt = lambda row: "  ".join(x.ljust(w) if i in (0, len(row) - 1) else x.rjust(w)  # noqa: E731
                                for i, (x, w) in enumerate(zip(row, widths))).rstrip()
    lines = [fmt(heads), *map(fmt, rows)]
    for r in reports:
        lines += [f"  {r.source}: {m}" for m in r.messages[:20]]
        if len(r.messages) > 20:
            lines.append(f"  {r.source}: … and {len(r.messages) - 20} more errors")
    return lines


def print_summary(reports):
    print("\n".join(summary_lines(reports)), flush=True)
