"""Background work with huey: periodic jobs and one-off tasks.

Each app gets its own huey instance: ``SqliteHuey`` on ``<data dir>/jobs.db``
by default, Redis when ``YDT_JOBS_BACKEND=redis``, and an in-memory
``immediate`` huey (tasks run inline) when ``YDT_JOBS_BACKEND=immediate``, as
in tests. The database stays the durable record of work to do; huey only
executes, so a lost task is found again by the owner's periodic sweep.
Periodic jobs and one-off tasks come from the ``register_jobs`` hook;
``ydt worker`` runs them. A one-off :class:`Task` is queued with
:func:`enqueue` (from a request, or after a commit).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger("ydt.jobs")


@dataclass(frozen=True)
class PeriodicJob:
    """A function of ``ctx`` run every ``minutes`` minutes by the worker."""

    name: str
    func: Callable
    minutes: int = 1


@dataclass(frozen=True)
class Task:
    """A one-off task: ``func(ctx, *args)``, queued with :func:`enqueue`.

    Returned from ``register_jobs`` next to periodic jobs, so the task is
    known to every process that builds the app's huey (``ydt worker``).
    Arguments must be JSON-like (they are pickled into the queue).
    """

    name: str
    func: Callable


def make_huey(ctx):
    settings = ctx.settings
    # A stable name: the web processes and ``ydt worker`` must share the queue
    # (``hash()`` of a str differs between processes).
    name = "ydt-" + hashlib.sha256(str(settings.data_dir.resolve()).encode()).hexdigest()[:10]
    if settings.jobs_backend == "immediate":
        huey = MemoryHuey(name, immediate=True)
    elif settings.jobs_backend == "redis":
        huey = RedisHuey(name, url=settings.redis_url)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(settings.data_dir / "jobs.db"))
    huey.ydt_tasks = {}  # Task name -> huey TaskWrapper, for enqueue()
    for job in _registered(ctx):
        if isinstance(job, Task):
            _install_task(ctx, huey, job)
        else:
            _install_periodic(ctx, huey, job)
    return huey


def _registered(ctx) -> list[PeriodicJob | Task]:
    from core.plugins import collect

    return collect(ctx.pm, "register_jobs", ctx=ctx)


def _periodic_jobs(ctx) -> list[PeriodicJob]:
    return [job for job in _registered(ctx) if isinstance(job, PeriodicJob)]


def run_job(ctx, job: PeriodicJob) -> None:
    """Run one periodic job now, in the app's database context."""
    with ctx.activate():
        job.func(ctx)


def _install_periodic(ctx, huey, job: PeriodicJob) -> None:
    def run() -> None:
        try:
            run_job(ctx, job)
        except Exception:
            log.exception("periodic job %s failed", job.name)
            raise

    run.__name__ = job.name.replace(".", "_")
    huey.periodic_task(crontab(minute=f"*/{job.minutes}"), name=job.name)(run)


def _install_task(ctx, huey, task: Task) -> None:
    def run(*args) -> None:
        try:
            with ctx.activate():
                task.func(ctx, *args)
        except Exception:
            log.exception("task %s failed", task.name)
            raise

    run.__name__ = task.name.replace(".", "_")
    huey.ydt_tasks[task.name] = huey.task(name=task.name)(run)


def enqueue(ctx, name: str, *args, delay: float | None = None) -> None:
    """Queue the one-off task ``name`` (a :class:`Task` of some plugin).

    With the ``immediate`` backend (tests) it runs now, in this thread.
    Raises ``KeyError`` for a task no plugin registered.
    """
    wrapper = get_huey(ctx).ydt_tasks[name]
    if delay:
        wrapper.schedule(args=args, delay=delay)
    else:
        wrapper(*args)


def get_huey(ctx):
    if ctx.huey is None:
        ctx.huey = make_huey(ctx)
    return ctx.huey


def run_periodic_jobs_once(ctx) -> dict[str, str]:
    """Run every periodic job once, now (for ``ydt jobs run`` and tests)."""
    results = {}
    for job in _periodic_jobs(ctx):
        try:
            run_job(ctx, job)
            results[job.name] = "ok"
        except Exception as ex:  # reported to the caller, never hidden
            log.exception("periodic job %s failed", job.name)
            results[job.name] = f"failed: {ex}"
    return results
