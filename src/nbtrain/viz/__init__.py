"""Pure chart builders and HTML export: data in, Altair charts or HTML strings out."""
