"""`policy-archive lexicon build` and `lexicon show`: the words a search also looks for in the other language,
mined from the archive's own bilingual transcripts (archive/ingest/mine_lexicon.py).

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import click

from .app import datadir_of, emit_json, fail, main, open_store

# conferences between two progress lines
_EVERY = 50


@main.group()
def lexicon():
    """The lexicon of words across languages that searches use (`missile` also finds 导弹).

    \b
    Examples:
      policy-archive lexicon build
      policy-archive lexicon show missile
    """


@lexicon.command("build")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on standard error.")
@click.pass_context
def build(ctx, as_json, quiet):
    """Mine the lexicon from the stored conferences in Chinese and English and write it to the data folder.

    Each Chinese conference with its English version stored is aligned turn by turn; an English and a
    Chinese word that are in the same aligned turns far more often than chance (log-likelihood ratio,
    each among the other's three best) are kept as translations of each other. Searches use the new
    lexicon at once (a running `serve` too); run it again after crawling more conferences.

    \b
    Examples:
      policy-archive lexicon build
      policy-archive lexicon build --json -q
    """
    from ..ingest.mine_lexicon import mine
    dd = datadir_of(ctx, create=False)
    store = open_store(dd)

    def progress(n: int):
        if not quiet and n % _EVERY == 0:
            click.echo(f"read {n:,} conferences", err=True)
    found = mine(store, progress=progress)
    found.save(dd.lexicon_path)
    about = found.about
    words = {lang: len(terms) for lang, terms in found.entries.items()}
    summary = {"path": str(dd.lexicon_path), "conferences": about["conferences"], "units": about["units"],
               "pairs": about["pairs"], "words": words}
    if as_json:
        emit_json(summary)
        return
    if not about["conferences"]:
        click.echo("note: no conference is stored in both Chinese and English: the lexicon is empty", err=True)
    click.echo(f"lexicon: {about['pairs']:,} word pairs ({', '.join(f'{n:,} {lang}' for lang, n in words.items())} "
               f"words) from {about['conferences']:,} conferences ({about['units']:,} aligned units), "
               f"written to {dd.lexicon_path}")


@lexicon.command("show")
@click.argument("word")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx, word, as_json):
    """What a search for WORD also looks for, and how strongly the transcripts pair them.

    Exit status 1 when the archive has no lexicon yet; a word it lacks is an answer (nothing).

    \b
    Examples:
      policy-archive lexicon show missile
      policy-archive lexicon show 导弹 --json
    """
    from ..search.lexicon import Lexicon
    dd = datadir_of(ctx, create=False)
    if not dd.lexicon_path.exists():
        fail(f"no lexicon in {dd.root}: run 'policy-archive lexicon build' first")
    try:
        found = Lexicon.load(dd.lexicon_path).translations(word)
    except ValueError as e:
        fail(str(e))
    if as_json:
        emit_json({"word": word, "translations": found})
        return
    if not found:
        click.echo(f"{word}: not in the lexicon (searched as typed)")
    for t in found:
        click.echo(f"{word} → {t['word']}  (together in {t['joint']:,} aligned units, G² {t['llr']:,.1f}, "
                   f"{t['lift']:,.1f}× chance)")
