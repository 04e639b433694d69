"""Citing: finding the statements a quote comes from (`lookup`) and formatting citations (`formats`)."""
