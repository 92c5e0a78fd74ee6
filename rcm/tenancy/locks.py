"""Transaction-scoped advisory locks inside the active org: `org_xact_lock("job", name, key)`
serializes every transaction that names the same parts in the same org until it ends
(PostgreSQL's pg_advisory_xact_lock on (org id, hashtext of the parts))."""

from __future__ import annotations

from django.db import connection

from rcm.tenancy.context import require_org


def org_xact_lock(*parts: object) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [require_org().pk, "|".join(map(str, parts))],
        )
