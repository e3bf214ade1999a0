"""tracker: follows bilateral commitments in diplomatic news and reports when their status changes."""

__version__ = "0.1.0"
