"""Coding-engine throughput: services coded per second across a realistic mix.

Run: make bench   (or .venv/bin/python bench/bench_coding.py)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coding import (  # noqa: E402
    CMS_8_MINUTE_RULE,
    Attendance,
    PayerRules,
    ServiceFacts,
    code_service,
)

N = 20_000


def mix(rng: random.Random) -> list[ServiceFacts]:
    kinds = ["individual", "family_with_patient", "crisis", "group", "evaluation"]
    facts = []
    for _ in range(N):
        kind = rng.choice(kinds)
        attendees = (
            tuple(Attendance(f"p{i}", rng.randint(30, 90)) for i in range(8))
            if kind == "group"
            else ()
        )
        facts.append(
            ServiceFacts(
                kind=kind,
                rendering_license=rng.choice(["lcsw", "psychologist", "psychiatrist"]),
                minutes=rng.randint(10, 140),
                attendees=attendees,
                modality=rng.choice(["in_person", "video", "audio_only"]),
                patient_at_home=rng.random() < 0.5,
                facility_pos="11",
            )
        )
    return facts


def main() -> None:
    rng = random.Random(7)
    facts = mix(rng)
    payers = [PayerRules(), PayerRules(rounding=CMS_8_MINUTE_RULE, name="cms")]
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for i, f in enumerate(facts):
            code_service(f, payers[i % 2])
        runs.append(time.perf_counter() - start)
    per_sec = [N / r for r in runs]
    print(f"coding engine: {N} services x 5 runs")
    print(
        f"  throughput median {statistics.median(per_sec):,.0f} services/s "
        f"(min {min(per_sec):,.0f}, max {max(per_sec):,.0f})"
    )
    print(f"  latency median {statistics.median(runs) / N * 1e6:.1f} µs/service")


if __name__ == "__main__":
    main()
