"""The search index: its schema and the analysis of text (`schema`, `analysis`), and writing it (`writing`)."""
# Indexes written before this package existed pickled their schema field as `archive.index.AnalysedText`:
# the name must stay importable here for them to open.
from .schema import AnalysedText  # noqa: F401
