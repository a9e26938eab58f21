"""The one error type for bad input data."""


class DataError(ValueError):
    """Input data that nbtrain cannot use; the message names the file, the line and the problem."""
