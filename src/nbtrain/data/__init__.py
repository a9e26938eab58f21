"""Data in: reading, validating and splitting labelled texts."""
