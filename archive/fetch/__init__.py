"""Fetching: the polite HTTP client, bytes to text, mirrors, and WARC capture of every exchange."""
