"""The command line: `policy-archive [--data-dir DIR] COMMAND ...`.

Each module holds a group of commands; a command parses its arguments, calls the library and prints.
"""
import sys

import click

# importing a command module registers its commands with `main`
from . import (crawling, extract, indexing, lexicon, maintenance, migrating, searching, serving,  # noqa: F401
               sources, transfer, working)
from .app import main


def run():
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
