"""glibc's allocator in the web workers: one arena for a worker's threads, and memory handed back after large requests.

Measured with one gunicorn worker serving the 3,000-appointment programme page and feed
(README, "Performance": memory per worker): glibc gives each thread that allocates an arena
of its own, so a gthread worker's two request threads each kept the free memory of the large
requests they had served, and the peak grew with every request that landed on the other
thread (222–231 MiB over the same sequence of requests). With one arena for all threads the
second thread reuses what the first freed (209–210 MiB, flat under two threads at once). Python
allocates while holding the GIL, so the threads rarely wait for the arena's lock.

A whole programme leaves most of the arena's pages free but mapped once its request has
ended; :func:`trim` hands them back to the system, so that the next large request of the
worker starts lower (called by :mod:`planner.workload`, about a millisecond).

Only on glibc (Linux): elsewhere both are no-ops.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform

# mallopt's parameter for the largest number of arenas (glibc's malloc.h).
M_ARENA_MAX = -8


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(None)  # the process's own symbols, glibc's malloc among them
    except OSError:
        return None


def one_arena() -> bool:
    """Let every thread of this process (and of processes forked from it) allocate from one arena; False if not glibc.

    Call before the threads start: a thread that has allocated keeps the arena it has.
    """
    libc = _glibc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, 1) == 1


def trim() -> None:
    """Return the allocator's free pages to the system (glibc's ``malloc_trim(0)``)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def resident_bytes() -> int:
    """This process's resident memory now, in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0
