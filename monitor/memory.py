"""A long-running worker's resident memory: what glibc's allocator keeps but no longer uses.

Loading the model makes large temporary copies, and every thread that allocates may get its
own malloc arena. Both leave freed memory held by the process. These calls give it back and
cap the arenas; on a C library without them they do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # from glibc's malloc.h


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None  # musl and others
    return libc


def cap_malloc_arenas(arenas: int = 2) -> bool:
    """Limit the allocator to `arenas` arenas. Threads in Python hold the GIL while they
    allocate, so more arenas buy no speed, only memory. Call before starting threads."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas) == 1)


def return_free_memory() -> bool:
    """Hand freed heap memory back to the operating system."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
