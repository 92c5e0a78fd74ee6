"""Run one scheduled job for an org now, through the same code path as the worker (the Celery
task denials.tasks.run_job, applied in this process), and print its JSON summary: the job's
counts (`created`, `updated`, and what it saw), its `key`, and `skipped` 1 when it had already
run for that key (a nightly job's key is the org's local date: a second run the same day does
nothing). Jobs: reprioritize_denials, claim_status_followup, poll_drop_folders."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims.management.commands._org import org_by_slug
from denials.jobs import JOBS


class Command(BaseCommand):
    help = "Run a scheduled job for an organization now; prints JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help=f"One of: {', '.join(sorted(JOBS))}.")
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--key", default=None, help="Run key (default: now's, e.g. a date).")

    def handle(self, *args: Any, **opts: Any) -> None:
        from denials.tasks import run_job

        if opts["name"] not in JOBS:
            raise CommandError(
                f"No job is called {opts['name']!r}; jobs: {', '.join(sorted(JOBS))}"
            )
        org = org_by_slug(opts["org"])
        result = run_job.apply(args=(org.pk, opts["name"], opts["key"]), throw=True)
        self.stdout.write(json.dumps(result.get(), indent=2, default=str))
