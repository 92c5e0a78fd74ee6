"""835 reading throughput: a deterministic 5,000-claim remittance (about two lines a claim,
written with edi.x835_write) read with `read_835` + `balance_errors`, against pyx12 on the
same text: its segment reader (pyx12.x12file.X12Reader, tokenizing only) and its full
validation run (pyx12.x12n_document, which walks the 835 map loop by loop).

Prints the figures, then one JSON line (the last) with claims, read_s, claims_per_s, pyx12_s
(the validation run) and ratio (pyx12_s / read_s).

Run: make bench   (or .venv/bin/python bench/bench_835_parse.py)
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edi.x12_writer import Envelope  # noqa: E402
from edi.x835 import (  # noqa: E402
    Adjustment,
    Contact,
    PartyAddress,
    RemitClaim,
    RemitLine,
    Remittance,
    balance_errors,
    read_835,
)
from edi.x835_write import write_835  # noqa: E402

CLAIMS = 5_000
ROUNDS = 3
CODES = [("90837", "210"), ("90834", "150"), ("90832", "95"), ("H0005", "60"), ("H0015", "300")]
CENT = Decimal("0.01")


def _line(rng: random.Random, position: int, day: datetime.date) -> RemitLine:
    code, price = rng.choice(CODES)
    units = rng.choice([1, 1, 1, 2])
    charge = Decimal(price) * units
    allowed = (charge * Decimal(rng.choice(["0.6", "0.7", "0.75", "1"]))).quantize(CENT)
    copay = min(allowed, Decimal(rng.choice([0, 0, 20, 25])))
    denied = rng.random() < 0.05
    adjustments = [Adjustment("CO", "197" if denied else "45", charge - allowed)]
    if denied:
        adjustments = [Adjustment("CO", "197", charge)]
    elif copay:
        adjustments.append(Adjustment("PR", "3", copay))
    adjustments = [a for a in adjustments if a.amount]
    paid = charge - sum((a.amount for a in adjustments), Decimal(0))
    return RemitLine(
        procedure_qualifier="HC",
        procedure_code=code,
        modifiers=rng.choice([(), (), ("95",), ("HF",)]),
        charge=charge,
        paid=paid,
        units=Decimal(units),
        service_date_from=day,
        service_date_to=day,
        line_control_number=f"L{position}",
        allowed=None if denied else allowed,
        adjustments=tuple(adjustments),
        remarks=("N54",) if denied else (),
        position=position,
    )


def remittance(claims: int = CLAIMS, seed: int = 835) -> Remittance:
    rng = random.Random(seed)
    built = []
    for n in range(1, claims + 1):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(60))
        lines = tuple(_line(rng, i, day) for i in range(1, rng.choice([1, 2, 2, 3]) + 1))
        built.append(
            RemitClaim(
                patient_control_number=f"RBH{n:07d}",
                status_code="1",
                charge=sum((ln.charge for ln in lines), Decimal(0)),
                paid=sum((ln.paid for ln in lines), Decimal(0)),
                patient_responsibility=sum(
                    (a.amount for ln in lines for a in ln.adjustments if a.group == "PR"),
                    Decimal(0),
                ),
                filing_indicator="HM",
                payer_claim_number=f"KHP{n:09d}",
                facility_code="11",
                frequency="1",
                member_id=f"M{rng.randrange(10**8):08d}",
                patient_last_name="PATIENT",
                patient_first_name=f"N{n}",
                rendering_npi="1245319599",
                statement_from=day,
                statement_to=day,
                lines=lines,
                position=n,
            )
        )
    return Remittance(
        control_number="0001",
        handling_code="I",
        total_paid=sum((c.paid for c in built), Decimal(0)),
        credit_debit="C",
        payment_method="CHK",
        payment_date=datetime.date(2026, 3, 16),
        trace_number="CHK0001",
        trace_originator="1512345678",
        payer_name="KEYSTONE HEALTH PLAN",
        payee_name="RIVERBEND BEHAVIORAL HEALTH",
        payee_npi="1234567893",
        claims=tuple(built),
        payer_address=PartyAddress("PO BOX 1000", "HARRISBURG", "PA", "17105"),
        payer_contacts=(Contact("BL", "EDI SUPPORT", (("TE", "8005550198"),)),),
    )


def _best(fn, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _pyx12_tokenize(text: str) -> int:
    import pyx12.x12file

    return sum(1 for _ in pyx12.x12file.X12Reader(io.StringIO(text)))


def _pyx12_validate(text: str) -> bool:
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    return pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(),
        src_file=io.StringIO(text),
        fd_997=None,
        fd_html=None,
        fd_json=None,
    )


def main() -> None:
    built = remittance()
    created = datetime.datetime(2026, 3, 16, 8, 0)
    envelope = Envelope(sender_id="KHP01", receiver_id="RBH0001", control_number=1, created=created)
    text = write_835([built], envelope=envelope)
    lines = sum(len(c.lines) for c in built.claims)

    def read() -> None:
        [r] = read_835(text)
        assert len(r.claims) == CLAIMS and not balance_errors(r)

    read_s = _best(read)
    tokenize_s = _best(lambda: _pyx12_tokenize(text))
    start = time.perf_counter()
    valid = _pyx12_validate(text)
    pyx12_s = time.perf_counter() - start
    print(f"835 of {CLAIMS} claims, {lines} lines, {len(text) / 1024:.0f} KiB")
    print(f"read_835 + balance_errors:            {read_s:8.3f} s (best of {ROUNDS})")
    print(f"pyx12 X12Reader (segments only):      {tokenize_s:8.3f} s (best of {ROUNDS})")
    print(f"pyx12 x12n_document (validation run): {pyx12_s:8.3f} s (one run, valid={valid})")
    figures = {
        "claims": CLAIMS,
        "lines": lines,
        "read_s": round(read_s, 4),
        "claims_per_s": round(CLAIMS / read_s),
        "pyx12_s": round(pyx12_s, 4),
        "pyx12_mode": "x12n_document validation run",
        "pyx12_tokenize_s": round(tokenize_s, 4),
        "ratio": round(pyx12_s / read_s, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
