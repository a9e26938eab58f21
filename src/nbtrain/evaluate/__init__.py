"""Evaluation: classification scores, the tuned baseline and the baseline-versus-trained comparison."""
