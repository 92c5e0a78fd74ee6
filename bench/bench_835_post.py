"""835 posting throughput: read + post a 5,000-claim remittance to the org's own claims.

Loads a small demo (`seed_demo --patients 5 --no-claims`: the patients, coverages and payers
the claims point at), then, inside a transaction rolled back at the end, stores BENCH_CLAIMS
submitted claims (two lines each) for the demo's patients, writes one 835 paying them
(edi.x835_write: CO-45 contractual, PR-3 copays, one line in twenty denied CO-197 with N54) and
times `post_835` on it: reading, balancing, matching claims and lines, adjustments, patient
ledger, denials with priorities, claim money and events. Then posts the same bytes again (the
duplicate check). Prints claims per second and queries per claim; the last line is JSON.

Run: make bench   (or: python -m rcm.devservices exec .venv/bin/python bench/bench_835_post.py)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
os.environ.setdefault("DEBUG", "0")
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "5000"))
CENT = Decimal("0.01")
DOS = dt.date(2026, 10, 5)


def prepare() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.INFO)
    with redirect_stdout(io.StringIO()):
        call_command("seed_demo", "--patients", "5", "--no-claims")


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def store_claims(rng: random.Random) -> list[Any]:
    from claims.models import Claim, ClaimLine
    from patients.models import Coverage

    coverages = list(Coverage.objects.select_related("patient", "payer").order_by("pk")[:10])
    claims, lines = [], []
    for n in range(CLAIMS):
        cov = coverages[n % len(coverages)]
        charges = [Decimal(rng.choice(["150.00", "200.00", "110.00", "65.00"])) for _ in "ab"]
        claim = Claim(
            control_number=f"B{n:010d}",
            kind="837p",
            status=Claim.Status.ACCEPTED,
            patient=cov.patient,
            coverage=cov,
            payer=cov.payer,
            service_from=DOS,
            service_to=DOS + dt.timedelta(days=1),
            place_of_service="11",
            diagnoses=["F33.1"],
            total_charge=sum(charges, Decimal(0)),
        )
        claims.append(claim)
        for i, charge in enumerate(charges, start=1):
            lines.append(
                ClaimLine(
                    claim=claim,
                    number=i,
                    control_number=f"{claim.control_number}-{i}",
                    service_date=DOS + dt.timedelta(days=i - 1),
                    code="90834",
                    units=Decimal(1),
                    charge=charge,
                    pos="11",
                    pointers=[1],
                )
            )
    Claim.objects.bulk_create(claims, batch_size=2000)
    ClaimLine.objects.bulk_create(lines, batch_size=2000)
    return claims


def era(claims: list[Any], rng: random.Random) -> bytes:
    from edi.x12_writer import Envelope
    from edi.x835 import Adjustment, Contact, PartyAddress, RemitClaim, RemitLine, Remittance
    from edi.x835_write import write_835

    remit_claims = []
    for position, claim in enumerate(claims, start=1):
        rlines = []
        for i, line in enumerate(claim.bench_lines, start=1):
            if rng.random() < 0.05:
                adjs, remarks = (Adjustment("CO", "197", line.charge),), ("N54",)
            else:
                allowed = (line.charge * Decimal("0.7")).quantize(CENT)
                copay = Decimal(rng.choice([0, 20]))
                adjs = tuple(
                    a
                    for a in (
                        Adjustment("CO", "45", line.charge - allowed),
                        Adjustment("PR", "3", copay),
                    )
                    if a.amount
                )
                remarks = ()
            paid = line.charge - sum((a.amount for a in adjs), Decimal(0))
            rlines.append(
                RemitLine(
                    procedure_qualifier="HC",
                    procedure_code=line.code,
                    modifiers=(),
                    charge=line.charge,
                    paid=paid,
                    units=Decimal(1),
                    service_date_from=line.service_date,
                    line_control_number=line.control_number,
                    adjustments=adjs,
                    remarks=remarks,
                    position=i,
                )
            )
        paid = sum((ln.paid for ln in rlines), Decimal(0))
        pr = sum((a.amount for ln in rlines for a in ln.adjustments if a.group == "PR"), Decimal(0))
        remit_claims.append(
            RemitClaim(
                patient_control_number=claim.control_number,
                status_code="1" if paid else "4",
                charge=claim.total_charge,
                paid=paid,
                patient_responsibility=pr,
                filing_indicator="12",
                payer_claim_number=f"PAYER{position:08d}",
                member_id="MEMBER01",
                patient_last_name="BENCH",
                patient_first_name="PATIENT",
                lines=tuple(rlines),
                position=position,
            )
        )
    total = sum((c.paid for c in remit_claims), Decimal(0))
    remittance = Remittance(
        control_number="0001",
        handling_code="I",
        total_paid=total,
        credit_debit="C",
        payment_method="ACH",
        payment_format="CCP",
        bank_details=(
            "01",
            "043000096",
            "DA",
            "1234567",
            "1512345678",
            "",
            "01",
            "031100209",
            "DA",
            "99887766",
        ),
        payment_date=dt.date(2026, 11, 20),
        trace_number=f"BENCH{rng.randrange(10**9):09d}",
        trace_originator="1512345678",
        payer_name="BENCH HEALTH PLAN",
        payer_id="BENCH01",
        payee_name="BENCH CLINIC",
        payee_npi="1234567893",
        claims=tuple(remit_claims),
        payer_address=PartyAddress("PO BOX 1", "HARRISBURG", "PA", "17105"),
        payer_contacts=(Contact("BL", "EDI", (("TE", "8005550198"),)),),
    )
    envelope = Envelope(
        sender_id="BENCHPAYER",
        receiver_id="BENCHCLINIC",
        control_number=1,
        created=dt.datetime(2026, 11, 20, 8, 0),
    )
    return write_835([dataclasses.replace(remittance)], envelope=envelope).encode()


def main() -> None:
    prepare()
    from django.db import connection, transaction

    from denials.posting import post_835
    from edi.x835 import read_835
    from rcm.models import Organization
    from rcm.tenancy import org_context

    rng = random.Random(835)
    org = Organization.objects.get(slug="harbor-mh")
    counter = Counter()
    with org_context(org):
        claims = store_claims(rng)
        by_claim: dict[int, list[Any]] = {}
        from claims.models import ClaimLine

        for line in ClaimLine.objects.filter(claim__in=claims).order_by("claim_id", "number"):
            by_claim.setdefault(line.claim_id, []).append(line)
        for claim in claims:
            claim.bench_lines = by_claim[claim.pk]
        content = era(claims, rng)
        start = time.perf_counter()
        read_835(content)
        read_s = time.perf_counter() - start
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            summary = post_835(content=content, file_name="bench.835", source="command")
            post_s = time.perf_counter() - start
            queries = counter.count
            start = time.perf_counter()
            again = post_835(content=content, file_name="bench-again.835", source="command")
            dup_s = time.perf_counter() - start
        transaction.set_rollback(True)
    assert summary.matched == CLAIMS and again.duplicates_skipped >= 1, (summary, again)
    print(
        f"835 of {CLAIMS} claims, {summary.service_lines} lines, {len(content) / 1e6:.1f} MB: "
        f"read {read_s:.2f} s; read + post {post_s:.2f} s = {CLAIMS / post_s:,.0f} claims/s, "
        f"{queries / CLAIMS:.4f} queries/claim ({queries} queries), {summary.denials} denials; "
        f"the same file again skipped in {dup_s * 1000:.0f} ms"
    )
    print(
        json.dumps(
            {
                "claims": CLAIMS,
                "lines": summary.service_lines,
                "read_s": round(read_s, 3),
                "post_s": round(post_s, 3),
                "claims_per_s": round(CLAIMS / post_s, 1),
                "queries_per_claim": round(queries / CLAIMS, 4),
                "denials": summary.denials,
            }
        )
    )


if __name__ == "__main__":
    main()
