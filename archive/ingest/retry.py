"""When a crawl tries again a page it saw and could not store (an owed page), and when it stops trying.

Most failures pass (a 503, a stall, a body cut short): the fetcher has already retried within seconds, so
the next few crawls simply try again. A page that keeps failing is tried less and less often, so a page
broken for days costs a watch little. Only a page that was never stored and has answered 404 or 410 for
long enough is given up, and a given-up page stays listed as such: nothing seen is dropped silently.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

# failures the very next crawl tries again, whatever the time since
RETRY_NEXT_CRAWL = 3
FIRST_WAIT = timedelta(minutes=2)
LONGEST_WAIT = timedelta(days=1)
# a listing may link a page before the page is published: a 404 is final only after days and tries
GIVE_UP_AFTER = 5
GIVE_UP_AGE = timedelta(days=2)


def next_try(attempts: int, now: datetime) -> datetime:
    """When to try again after `attempts` failures: at once for the first few, then a jittered doubling wait
    (jitter so that pages failing together are not retried in one burst)."""
    if attempts <= RETRY_NEXT_CRAWL:
        return now
    wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempts - RETRY_NEXT_CRAWL - 1))
    return now + wait * random.uniform(0.5, 1.0)


def gives_up(gone: int, first_seen: datetime, now: datetime) -> bool:
    """Whether a never-stored page that answered 404/410 `gone` times since `first_seen` is tried no more."""
    return gone >= GIVE_UP_AFTER and now - first_seen >= GIVE_UP_AGE
