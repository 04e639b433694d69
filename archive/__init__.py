"""policy-archive: a searchable, citable archive of official foreign-ministry statements."""

__version__ = "0.1.0"
