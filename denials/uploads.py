"""Remittance uploads from the Remittances page: 835s (and 999/277CA acknowledgments) go
through denials.imports.import_file. Small uploads post while the biller waits; larger ones
are posted by a Celery task (denials.tasks.post_upload) while the page polls the job's
progress.

The files wait for the task in Redis, encrypted like any PHI column (they name patients), for
an hour at most; the task takes only the job token and ids. The job's progress and summary
(counts and totals, no PHI) are kept in Redis under the org, so another org's token finds
nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

from denials.imports import Summary, import_file, is_835
from rcm.crypto import decrypt, encrypt
from rcm.tenancy import require_org

INLINE_MAX_BYTES = 256 * 1024  # above this the upload is posted in the background
STASH_SECONDS = 3600
_COLUMN = "denials.upload"


def _key(kind: str, token: str) -> str:
    return f"rcm:denials:{kind}:{require_org().pk}:{token}"


def job_status(*, token: str) -> dict[str, Any] | None:
    """The job's state (queued, running, done), claims posted so far, and when done its
    summary and the sha256 of its files; None for an unknown token (or another org's)."""
    if not token or len(token) > 64:
        return None
    return cache.get(_key("job", token))


def _set_status(token: str, **changes: Any) -> None:
    status = {**(cache.get(_key("job", token)) or {}), **changes}
    cache.set(_key("job", token), status, STASH_SECONDS)


def _run(files: Sequence[tuple[str, bytes]], actor: Any, token: str | None) -> dict[str, Any]:
    summary = Summary()
    done = 0

    def progress(claims: int) -> None:
        if token:
            _set_status(token, state="running", claims_posted=done + claims)

    for name, content in files:
        import_file(content=content, file_name=name, actor=actor, into=summary, progress=progress)
        done = summary.posting.claims
    return {
        "state": "done",
        "claims_posted": summary.posting.claims,
        "summary": json.loads(json.dumps(summary.as_dict(), default=str)),
        "digests": [hashlib.sha256(c).hexdigest() for _, c in files if is_835(c)],
    }


def upload_post(*, files: Sequence[tuple[str, bytes]], actor: Any) -> dict[str, Any]:
    """Post the files now when small (the result, state "done"), else queue them for the
    task (state "queued" with the job token to poll)."""
    if sum(len(content) for _, content in files) <= INLINE_MAX_BYTES:
        return _run(files, actor, None)
    from denials.tasks import post_upload

    org = require_org()
    token = secrets.token_urlsafe(18)
    payload = json.dumps([[name, base64.b64encode(content).decode()] for name, content in files])
    cache.set(_key("files", token), encrypt(payload, org_id=org.pk, column=_COLUMN), STASH_SECONDS)
    _set_status(token, state="queued", claims_posted=0, files=len(files))
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: post_upload.delay(org.pk, token, actor_id))
    return {"state": "queued", "token": token, "claims_posted": 0}


def upload_run(*, token: str, actor: Any) -> dict[str, Any]:
    """The task's work: post the stashed files, reporting progress (idempotent: a file
    already posted is skipped by its hash)."""
    stashed = cache.get(_key("files", token))
    if stashed is None:
        status = job_status(token=token) or {}
        return status if status.get("state") == "done" else {"state": "expired"}
    data = json.loads(decrypt(stashed, org_id=require_org().pk, column=_COLUMN))
    files = [(name, base64.b64decode(content)) for name, content in data]
    _set_status(token, state="running")
    result = _run(files, actor, token)
    _set_status(token, **result)
    transaction.on_commit(lambda: cache.delete(_key("files", token)))
    return result
