"""Search over the index: query parsing and the searcher (`searcher`), matching, facets, snippets."""
