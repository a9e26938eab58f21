"""nbtrain: train custom text classifiers and embedders with LoRA in your notebook."""
from nbtrain._version import __version__
__all__ = ["__version__"]
