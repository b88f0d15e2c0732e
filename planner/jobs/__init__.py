"""The job queue: long work (PDF renders today; notifications, imports later) off the web workers.

Built on Huey. Without configuration the queue is a SQLite file in the
instance folder and needs no server (``make run`` starts its worker); with
``REDIS_URL`` the queue, the job records and the finished outputs live in
Redis, so any number of web hosts and job workers share them. The code path
is the same for both: only :func:`planner.jobs.queue.make_huey` and
:func:`planner.jobs.queue.make_store` look at the configuration.

A feature declares a task with :func:`planner.jobs.queue.job` at import time
and enqueues it with ``jobs().enqueue(name, ...)``; the task runs in the job
worker (``flask --app planner jobs worker``) inside an application context.
"""

from __future__ import annotations

from planner.jobs.queue import Jobs, TaskOptions, job, jobs

__all__ = ["Jobs", "TaskOptions", "job", "jobs"]
