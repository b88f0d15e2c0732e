"""Small records and finished outputs that every web worker and every job worker can read.

A job's state (queued, running, done, failed), the marker "this user has a
render pending" and the rendered file itself must be visible to whichever
web worker answers the next request, so they cannot live in process memory.
Two stores with one interface, chosen like the queue itself:

* :class:`FileStore`: files in the instance folder (the embedded default,
  one host). A file's modification time is its expiry time, so expiry needs
  no index and survives restarts.
* :class:`RedisStore`: keys with a TTL in Redis (when ``REDIS_URL`` is set,
  any number of hosts).

Everything expires: a worker that dies mid-render leaves a marker that
lapses by itself instead of blocking its user for ever.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9:_-]{0,127}$")


def _check(name: str) -> str:
    # Names are built by our code from hashes and ids; refuse anything else rather than escape it.
    if not _NAME.match(name):
        raise ValueError(f"not a store name: {name!r}")
    return name


class Store(Protocol):
    """What the job code needs from a store; values are bytes, ``ttl`` is in seconds."""

    def get(self, name: str) -> bytes | None: ...

    def set(self, name: str, value: bytes, ttl: float) -> None: ...

    def add(self, name: str, value: bytes, ttl: float) -> bool:
        """Create ``name`` unless it exists (and has not expired); True if this call created it."""
        ...

    def delete(self, name: str) -> None: ...

    def prune(self) -> int:
        """Remove expired entries (where the backend does not expire them itself); how many went."""
        ...


class FileStore:
    """One file per name in ``folder``; the file's mtime is when it expires."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        return self.folder / _check(name).replace(":", "_")

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            if path.stat().st_mtime <= time.time():
                return None
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def _write_temporary(self, value: bytes, ttl: float) -> Path:
        temporary = self.folder / f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
        with open(temporary, "wb") as handle:
            handle.write(value)
        expires = time.time() + ttl
        os.utime(temporary, (expires, expires))
        return temporary

    def set(self, name: str, value: bytes, ttl: float) -> None:
        # Written whole under another name, then renamed: a reader sees the old value or the new one.
        os.replace(self._write_temporary(value, ttl), self._path(name))

    def add(self, name: str, value: bytes, ttl: float) -> bool:
        path = self._path(name)
        temporary = self._write_temporary(value, ttl)
        try:
            for _attempt in range(2):
                try:
                    os.link(temporary, path)  # atomic: fails if the name exists
                    return True
                except FileExistsError:
                    try:
                        if path.stat().st_mtime > time.time():
                            return False
                        path.unlink()  # expired: take its place (one retry)
                    except FileNotFoundError:
                        pass
            return False
        finally:
            temporary.unlink(missing_ok=True)

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def prune(self) -> int:
        """Delete expired entries (and temporary files older than an hour); returns how many."""
        now = time.time()
        removed = 0
        for path in self.folder.iterdir():
            try:
                stat = path.stat()
                stale_temporary = path.name.startswith(".tmp-") and stat.st_ctime < now - 3600
                if (not path.name.startswith(".tmp-") and stat.st_mtime <= now) or stale_temporary:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


class RedisStore:
    """Keys under ``prefix`` in Redis, each with its TTL; Redis expires them by itself."""

    def __init__(self, url: str, prefix: str = "planner:store:") -> None:
        import redis  # only needed when REDIS_URL is configured

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix

    def _key(self, name: str) -> str:
        return self.prefix + _check(name)

    def get(self, name: str) -> bytes | None:
        value = self.client.get(self._key(name))
        return value if isinstance(value, bytes) else None

    def set(self, name: str, value: bytes, ttl: float) -> None:
        self.client.set(self._key(name), value, px=max(1, int(ttl * 1000)))

    def add(self, name: str, value: bytes, ttl: float) -> bool:
        return bool(self.client.set(self._key(name), value, px=max(1, int(ttl * 1000)), nx=True))

    def delete(self, name: str) -> None:
        self.client.delete(self._key(name))

    def prune(self) -> int:
        return 0  # Redis expires keys itself


class CacheStore:
    """A store used only as a cache: a feed's kept blocks, validators and body.

    When the store cannot be reached (Redis down or restarting, a full or
    read-only disk) a read is a miss and a write is skipped, each logged as a
    warning: the feed is built from the database as if nothing had been kept,
    rather than every calendar client getting a 500 until the store is back.
    Job states and rendered files use the store itself, since losing them is
    not the same as not having them.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, name: str) -> bytes | None:
        try:
            return self.store.get(name)
        except _unreachable() as error:
            log.warning("store unreachable, reading %s as missing: %s", name.split(":", 1)[0], error)
            return None

    def set(self, name: str, value: bytes, ttl: float) -> None:
        try:
            self.store.set(name, value, ttl)
        except _unreachable() as error:
            log.warning("store unreachable, not keeping %s: %s", name.split(":", 1)[0], error)


def _unreachable() -> tuple[type[Exception], ...]:
    from redis.exceptions import RedisError  # a dependency; imported here as RedisStore imports redis

    return (OSError, RedisError)
