"""Taking statements in: the crawl and the watch, WARC and JSON Lines imports, the rebuild, and source checks."""
