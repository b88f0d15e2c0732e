"""``flask --app planner jobs worker``: run the queue's consumer with a fixed number of workers.

``make run`` starts it beside the development server; in production it runs
as its own service (README, "Operations"). The number of workers is the
number of renders that can run at once, whatever the number of requests:
that bound is what keeps a flood of PDF requests from taking the web
workers' CPU and memory.
"""

from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import AppGroup

from planner.briefs.fonts import log_rendering_problems
from planner.jobs.queue import jobs

jobs_cli = AppGroup("jobs", help="The job queue (PDF renders, e-mail).")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Jobs run at once (default: PLANNER_RENDER_WORKERS, else 2).")
@click.option(
    "--worker-type",
    type=click.Choice(["process", "thread"]),
    default=None,
    help="process (default: renders use all cores) or thread.",
)
def worker_command(workers: int | None, worker_type: str | None) -> None:
    """Run jobs until stopped (Ctrl+C finishes the running jobs first, SIGTERM stops at once)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = int(app.config["JOB_WORKERS"]) if workers is None else workers
    kind = worker_type or app.config["JOB_WORKER_TYPE"]
    if count < 1:
        raise click.BadParameter("at least one worker", param_hint="--workers")
    queue = jobs(app)
    # Renders are background work: on a machine shared with the web workers, the CPU goes to
    # answering pages first (the render processes inherit the niceness).
    nice = int(app.config["JOB_NICE"])
    if nice:
        os.nice(nice)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Said at the worker's start (it renders every PDF) rather than discovered as boxes or a slow PDF.
    log_rendering_problems(app)
    # Never the Redis URL itself: it may carry a password.
    where = "Redis" if app.config.get("REDIS_URL") else getattr(queue.huey.storage, "filename", "?")
    click.echo(f"Job worker: {count} {kind} worker(s), queue in {where}", err=True)
    consumer = queue.huey.create_consumer(workers=count, worker_type=kind)
    consumer.run()
