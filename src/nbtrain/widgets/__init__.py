"""Notebook views over the pure modules (ipywidgets and anywidget)."""
