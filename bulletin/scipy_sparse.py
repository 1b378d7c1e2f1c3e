"""scipy.sparse for the related lists, imported without the numpy subpackages scipy would load for
nothing.

On its first import, scipy's array-API layer reads every public attribute of numpy, and numpy
imports a subpackage when one of its names is first read: f2py, testing, polynomial and ctypeslib
came in with scipy, about a tenth of a second that every rebuild paid. They are put in place first
as lazy modules (importlib.util.LazyLoader), each imported in full when first used.

Python 3.11's lazy modules load without a lock (CPython gh-114763): two threads first touching
one at the same moment could see it half loaded. No build uses these subpackages, in any thread.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

import numpy

UNUSED = ("f2py", "testing", "polynomial", "ctypeslib")  # by the build; scipy reads them only


def defer(names: Sequence[str] = UNUSED) -> None:
    """Put numpy's subpackages ``names`` in place as lazy modules, unless imported already (or
    missing from this numpy)."""
    for name in names:
        full = f"numpy.{name}"
        if full in sys.modules:
            continue
        spec = importlib.util.find_spec(full)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
        setattr(numpy, name, module)


defer()
from scipy import sparse  # noqa: E402 - after the line above

__all__ = ["UNUSED", "defer", "sparse"]
