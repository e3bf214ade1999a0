"""Modules loaded on first use: the CLI starts without what a command does not need."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module `name`, executed when one of its attributes is first read.

    Already imported: that module. Otherwise a module object is registered
    under the name now (so a later ordinary import of it finds the same
    object) and its code runs on first attribute access.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        # As the import system does: the package knows its submodule.
        setattr(importlib.import_module(parent), child, module)
    return module
