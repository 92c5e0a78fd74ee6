"""Run one scheduled job for an org now, through the same code path as the worker (the Celery
task rcm.tasks.run_job, applied in this process), and print its JSON summary: the job's counts
(`created`, `updated`, and what it saw), its `key`, and `skipped` 1 when it had already run for
that key (a nightly job's key is the org's local date: a second run the same day does nothing).
`--list` prints the registered jobs (name, schedule, what it does)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rcm.jobs import SCHEDULES, jobs
from rcm.orgs import org_by_slug


class Command(BaseCommand):
    help = "Run a scheduled job for an organization now (prints JSON), or --list the jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", nargs="?", help="The job's name (see --list).")
        parser.add_argument("--org", help="The organization's slug.")
        parser.add_argument("--key", default=None, help="Run key (default: now's, e.g. a date).")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args: Any, **opts: Any) -> None:
        from rcm.tasks import run_job

        names = [j.name for j in jobs()]
        if opts["list"]:
            for job in jobs():
                self.stdout.write(f"{job.name}\t{SCHEDULES[job.schedule]}\t{job.description}")
            return
        if not opts["name"] or not opts["org"]:
            raise CommandError("Name a job and --org SLUG (or --list).")
        if opts["name"] not in names:
            raise CommandError(f"No job is called {opts['name']!r}; jobs: {', '.join(names)}")
        org = org_by_slug(opts["org"])
        result = run_job.apply(args=(org.pk, opts["name"], opts["key"]), throw=True)
        self.stdout.write(json.dumps(result.get(), indent=2, default=str))
