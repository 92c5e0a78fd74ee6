"""One claim with everything its page shows, and the claim a session is on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claims.models import BatchClaim, Claim, ClaimEvent, ClaimFinding, ClaimLine, ClaimService

# --- One claim -------------------------------------------------------------------------------


@dataclass
class EventRow:
    event: ClaimEvent
    actor_name: str


@dataclass
class ClaimDetail:
    claim: Claim
    lines: list[ClaimLine]
    findings: list[ClaimFinding]
    events: list[EventRow]
    services: list[ClaimService]
    batches: list[BatchClaim]
    successors: list[Claim] = field(default_factory=list)

    @property
    def errors(self) -> list[ClaimFinding]:
        return [f for f in self.findings if f.severity == "error"]


def _actor_name(user: Any) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.username


def claim_detail(*, public_id: Any) -> ClaimDetail:
    """The claim with its lines, findings, history (with who acted), the sessions it bills,
    the batches that carried it and any replacement or void: seven queries.
    Raises Claim.DoesNotExist (another org's claim, or a Part 2 claim withheld)."""
    claim = Claim.objects.select_related(
        "payer",
        "patient",
        "coverage",
        "episode",
        "facility",
        "rendering_provider",
        "supervising_provider",
        "attending_provider",
        "assigned_to",
        "original",
        "batch",
    ).get(public_id=public_id)
    lines = list(
        ClaimLine.objects.filter(claim=claim)
        .select_related("rendering_provider", "session", "authorization")
        .order_by("number")
    )
    findings = list(
        ClaimFinding.objects.filter(claim=claim).order_by("line_number", "severity", "code")
    )
    findings.sort(key=lambda f: ({"error": 0, "warning": 1}.get(f.severity, 2), f.line_number or 0))
    events = [
        EventRow(e, _actor_name(e.actor))
        for e in ClaimEvent.objects.filter(claim=claim)
        .select_related("actor")
        .order_by("created_at", "pk")
    ]
    services = list(
        ClaimService.objects.filter(claim=claim)
        .select_related("session", "session__rendering_provider")
        .order_by("session__service_date", "session__pk")
    )
    batches = list(
        BatchClaim.objects.filter(claim=claim).select_related("batch").order_by("-batch__pk")
    )
    successors = list(Claim.objects.filter(original=claim).order_by("pk"))
    return ClaimDetail(claim, lines, findings, events, services, batches, successors)


def claims_by_public_ids(ids: list[Any]) -> list[Claim]:
    """Claims named by public id (another org's or a withheld one: absent): one query."""
    return list(Claim.objects.filter(public_id__in=ids).select_related("payer").order_by("pk"))


# --- The claim a session is on (the session page's answer) ---------------------------------


def session_claim(*, session: Any) -> dict[str, Any] | None:
    """The active claim billing `session` and the findings that concern it (those on the
    session or on its lines, and those on the whole claim): three queries. None: on no claim."""
    from django.urls import reverse

    from rcm.tenancy import require_org

    link = (
        ClaimService.objects.filter(session_id=session.pk, active=True)
        .select_related("claim")
        .first()
    )
    if link is None:
        return None
    claim = link.claim
    line_numbers = set(
        ClaimLine.objects.filter(claim=claim, session_id=session.pk).values_list(
            "number", flat=True
        )
    )
    sid = str(session.public_id)

    def concerns(f: ClaimFinding) -> bool:
        if f.service_public_id:
            return f.service_public_id == sid
        if f.line_number is not None:
            return f.line_number in line_numbers
        return True  # about the whole claim: it holds this session's billing too

    findings = [
        {
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
            "fix": f.fix,
            "fix_url": f.fix_url,
            "scope": "the whole claim"
            if not f.service_public_id and f.line_number is None
            else "this session",
        }
        for f in ClaimFinding.objects.filter(claim=claim).order_by("line_number", "code")
        if concerns(f)
    ]
    # Held by the scrubber or by a biller: the session is not billed until the claim goes.
    holds = claim.status in (Claim.Status.HELD, Claim.Status.ON_HOLD)
    return {
        "control_number": claim.control_number,
        "status": claim.status,
        "status_label": claim.get_status_display(),
        "url": reverse(
            "claims:claim_detail",
            kwargs={"org_slug": require_org().slug, "public_id": claim.public_id},
        ),
        "holds": holds,
        "findings": findings,
    }


# --- The 837 as it would be sent ---------------------------------------------------------


@dataclass(frozen=True)
class EdiPreview:
    text: str = ""  # the X12 (PHI: shown only to roles that see patients, and logged)
    problem: str = ""  # why there is none (no clearinghouse account, a mapping refusal)

    @property
    def readable(self) -> str:
        """One segment a line (the mapping strips "~" from values, so it only ends segments)."""
        return "\n".join(f"{seg}~" for seg in self.text.replace("\n", "").split("~") if seg)


def claim_837_preview(*, claim: Claim) -> EdiPreview:
    """The claim alone in an 837 interchange, mapped as claims.submission would map it now,
    with the org's clearinghouse account for the envelope. Control numbers are placeholders
    (1 / 0001): the real ones are taken when the claim is submitted. Saves nothing."""
    import datetime as dt

    from django.utils import timezone

    from claims.clearinghouse import ClearinghouseError, account_for_org
    from claims.edi_map import (
        MappingError,
        batch_837,
        claim_parts,
        claims_for_837,
        other_coverages,
        write_batch,
    )

    try:
        account = account_for_org()
        (loaded,) = claims_for_837([claim.pk])
        parts = claim_parts(loaded, other_coverages([loaded]).get(loaded.pk, []))
        text = write_batch(
            batch_837([parts], account=account, reference="0001"),
            kind=loaded.kind,
            account=account,
            control=1,
            transaction_control="0001",
            created=timezone.now().astimezone(dt.UTC).replace(tzinfo=None),
        )
    except ClearinghouseError as exc:
        return EdiPreview(problem=str(exc))
    except MappingError as exc:
        return EdiPreview(problem=f"The 837 cannot be written yet: {exc}")
    return EdiPreview(text=text)
