"""Where the files that ship with the tracker live.

In a wheel, `templates/`, `alembic/` and `seeds/` are carried inside the
package; in a source checkout they stand at the top level beside it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The packaged copy of a top-level folder, else the checkout's."""
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


def data_path(name: str) -> Path:
    return PACKAGE_DIR / "data" / name
