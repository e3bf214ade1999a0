"""tracker: follows bilateral commitments in diplomatic news and reports when their status changes."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.library import Tracker

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # `from tracker import Tracker` loads the library face (and the database code) only when asked for:
    # the command line imports this package first, and `--help` must stay light.
    if name == "Tracker":
        from tracker.library import Tracker

        return Tracker
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")


__all__ = ["Tracker", "__version__"]
