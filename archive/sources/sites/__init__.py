"""The hand-written sources, one module per ministry site; each lists its sources in `SOURCES`."""
