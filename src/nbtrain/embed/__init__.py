"""Embeddings: the frozen encoder, 2-D projections and separation scores."""
