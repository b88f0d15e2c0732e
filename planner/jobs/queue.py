"""One Huey instance and one output store per application, created from its configuration.

Tasks are plain functions registered by name with :func:`job`; each app's
:class:`Jobs` wraps them so they run inside that app's context, in whatever
process executes them (the ``jobs worker`` command, or a consumer a test
starts). Nothing is created until the queue is first used, so an app that
never enqueues anything never touches the queue's file or server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from planner.jobs.store import CacheStore, FileStore, RedisStore, Store

_TASKS: dict[str, Callable[..., None]] = {}
_OPTIONS: dict[str, TaskOptions] = {}
# Tasks the worker's scheduler starts by itself, with their crontab fields (Huey's, in UTC).
_SCHEDULES: dict[str, dict[str, str]] = {}
_EXTENSION = "planner_jobs"


@dataclass(frozen=True)
class TaskOptions:
    """How Huey runs a task; the numbers are config keys, read when an app registers the task.

    ``retries``/``retry_delay``: how often a task that raises is tried again, and how many seconds
    later. ``expires``: whether a task not started within ``JOB_EXPIRES_SECONDS`` is dropped (right
    for a render nobody waits for any more, wrong for an e-mail that must go out however late).
    """

    retries: str | None = None
    retry_delay: str | None = None
    expires: bool = True


def job(name: str, options: TaskOptions | None = None) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declare ``func`` as the task ``name``; it is called with its arguments inside an app context."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        if _TASKS.get(name, func) is not func:
            raise ValueError(f"two tasks named {name!r}")
        _TASKS[name] = func
        _OPTIONS[name] = options or TaskOptions()
        return func

    return register


def periodic_job(name: str, **schedule: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Declare ``func`` as the task ``name`` that every running worker starts on ``schedule``.

    ``schedule``: :func:`huey.crontab` fields (``minute``, ``hour``, ``day_of_week`` ...), in UTC.
    With several workers each one starts it, so such a task must be safe to run twice.
    """

    def register(func: Callable[[], None]) -> Callable[[], None]:
        job(name)(func)
        _SCHEDULES[name] = dict(schedule)
        return func

    return register


def make_huey(config: dict[str, Any], instance_path: str) -> Huey:
    """Redis when ``REDIS_URL`` is configured, else a SQLite file (``JOB_QUEUE_FILE``, default in the instance folder)."""
    name = config.get("JOB_QUEUE_NAME", "planner")
    # Our own store keeps job states and outputs (with expiry); Huey's result store would keep
    # every return value until someone reads it.
    if config.get("REDIS_URL"):
        return RedisHuey(name, results=False, url=config["REDIS_URL"])
    filename = config.get("JOB_QUEUE_FILE") or str(Path(instance_path) / "jobs.sqlite3")
    return SqliteHuey(name, results=False, filename=filename)


def make_store(config: dict[str, Any], instance_path: str) -> Store:
    """Redis when ``REDIS_URL`` is configured, else files in ``instance/outputs``."""
    if config.get("REDIS_URL"):
        return RedisStore(config["REDIS_URL"], prefix=f"{config.get('JOB_QUEUE_NAME', 'planner')}:store:")
    return FileStore(config.get("JOB_OUTPUT_FOLDER") or Path(instance_path) / "outputs")


class Jobs:
    """An app's queue (``huey``), its store (``store``; ``cache``: the same, for what may be lost) and its tasks."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app.config, app.instance_path)
        self.store = make_store(app.config, app.instance_path)
        self.cache = CacheStore(self.store)
        self.tasks: dict[str, TaskWrapper] = {}
        self._engine_pid = os.getpid()
        self.register_all()

    def register_all(self) -> None:
        """Wrap every task declared so far (the worker calls this once all features are imported)."""
        config = self.app.config
        for name, func in _TASKS.items():
            if name not in self.tasks and name in _SCHEDULES:
                self.tasks[name] = self.huey.periodic_task(crontab(**_SCHEDULES[name]), name=name)(self._in_app_context(func))
            elif name not in self.tasks:
                options = _OPTIONS[name]
                self.tasks[name] = self.huey.task(
                    name=name,
                    expires=int(config["JOB_EXPIRES_SECONDS"]) if options.expires else None,
                    retries=int(config[options.retries]) if options.retries else 0,
                    retry_delay=float(config[options.retry_delay]) if options.retry_delay else 0,
                )(self._in_app_context(func))

    def _in_app_context(self, func: Callable[..., None]) -> Callable[..., None]:
        app = self.app

        def run(*args: Any, **kwargs: Any) -> None:
            from planner.extensions import db

            with app.app_context():
                if os.getpid() != self._engine_pid:
                    # A forked worker process must not reuse the parent's pooled connections.
                    db.engine.dispose(close=False)
                    self._engine_pid = os.getpid()
                func(*args, **kwargs)

        run.__name__ = func.__name__
        run.__module__ = func.__module__
        return run

    def enqueue(self, name: str, *args: Any) -> None:
        """Put the task ``name`` on the queue; a worker runs it with ``args``."""
        self.register_all()
        self.tasks[name](*args)

    def pending(self) -> int:
        """How many tasks wait for a worker."""
        return int(self.huey.pending_count())

    def waiting_arguments(self, name: str) -> set[tuple[Any, ...]]:
        """The arguments of every task ``name`` on the queue: waiting for a worker, or for its time (a retry)."""
        waiting = [*self.huey.pending(), *self.huey.scheduled()]
        return {tuple(task.args) for task in waiting if task.name == name}


def jobs(app: Flask | None = None) -> Jobs:
    """The app's :class:`Jobs`, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if _EXTENSION not in app.extensions:
        app.extensions[_EXTENSION] = Jobs(app)
    return app.extensions[_EXTENSION]
