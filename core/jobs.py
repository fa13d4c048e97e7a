"""Background work with huey: periodic jobs and one-off tasks.

Each app gets its own huey instance: ``SqliteHuey`` on ``<data dir>/jobs.db``
by default, Redis when ``YDT_JOBS_BACKEND=redis``, and an in-memory
``immediate`` huey (tasks run inline) when ``YDT_JOBS_BACKEND=immediate``, as
in tests. The database stays the durable record of work to do; huey only
executes, so a lost task is found again by the owner's periodic sweep.
Periodic jobs come from the ``register_jobs`` hook; ``ydt worker`` runs them.
"""

from __future__ import annotations

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


def make_huey(ctx):
    settings = ctx.settings
    name = f"ydt-{abs(hash(str(settings.data_dir.resolve()))) % 10**8}"
    if settings.jobs_backend == "immediate":
        huey = MemoryHuey(name, immediate=True)
    elif settings.jobs_backend == "redis":
        huey = RedisHuey(name, url=settings.redis_url)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(settings.data_dir / "jobs.db"))
    for job in _periodic_jobs(ctx):
        _install_periodic(ctx, huey, job)
    return huey


def _periodic_jobs(ctx) -> list[PeriodicJob]:
    from core.plugins import collect

    return collect(ctx.pm, "register_jobs", ctx=ctx)


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
