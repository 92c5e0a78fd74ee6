"""The scrubber as a whole: codes are unique and each finding belongs to the edit that made it,
a failing edit holds the claim as SCRUB-FAULT instead of letting it through, odd data never
makes an edit fail, and the edits read the wording of the verdicts other modules hand them
(authorizations.rules, coding.diagnoses) the way those modules write it today."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from authorizations.rules import (
    AuthFacts,
    BilledLine,
    PayerAuthRules,
    ServiceForAuth,
    authorization_check,
)
from claims.scrub import REGISTRY, Finding, RegisteredEdit, Severity, edit, scrub
from claims.snapshot import (
    Address,
    AuthSnap,
    ConsentSnap,
    LineSnap,
    OtherClaimSnap,
    PayerEdits,
    ProviderSnap,
    ServiceSnap,
)
from coding.diagnoses import DiagnosisRules, sequencing_errors
from tests.claims.snapshots import DOS, institutional, professional, replace, with_auth
from tests.claims.test_scrub_edits import PROFESSIONAL_CASES, Case
from tests.claims.test_scrub_institutional import INSTITUTIONAL_CASES

ALL_CASES = [p.values[0] for p in PROFESSIONAL_CASES + INSTITUTIONAL_CASES]


def test_registering_a_code_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        edit("COVERAGE", "Another coverage check")(lambda snapshot: [])


def test_every_edit_has_a_code_and_a_title():
    assert len(REGISTRY) >= 40
    for code, registered in REGISTRY.items():
        assert code == registered.code
        assert code == code.upper() and " " not in code
        assert registered.title.strip()


@pytest.mark.parametrize("make", ALL_CASES)
def test_each_finding_carries_its_edits_code_or_a_code_under_it(make):
    snapshot = make()
    for code, registered in REGISTRY.items():
        for finding in registered.run(snapshot):
            assert isinstance(finding, Finding)
            assert finding.code == code or finding.code.startswith(f"{code}-"), (code, finding)
            assert finding.severity in set(Severity)


def test_a_failing_edit_holds_the_claim_as_a_scrub_fault(monkeypatch):
    def broken(snapshot):
        raise RuntimeError("bug")

    monkeypatch.setitem(REGISTRY, "COVERAGE", RegisteredEdit("COVERAGE", "Coverage check", broken))
    findings = scrub(professional())
    assert [(f.code, f.severity) for f in findings] == [("SCRUB-FAULT", Severity.ERROR)]
    assert "Coverage check" in findings[0].message
    assert findings[0].fix


def test_a_failing_edit_does_not_stop_the_others(monkeypatch):
    def broken(snapshot):
        yield from ()
        raise RuntimeError("bug")

    monkeypatch.setitem(REGISTRY, "COVERAGE", RegisteredEdit("COVERAGE", "Coverage", broken))
    codes = sorted(f.code for f in scrub(replace(professional(), diagnoses=())))
    assert codes == ["DX-MISSING", "DX-POINTER", "SCRUB-FAULT"]


def _findings(make: Case) -> list[Finding]:
    return scrub(make())


@pytest.mark.parametrize("make", ALL_CASES)
def test_every_finding_says_what_is_wrong_how_to_fix_it_and_where(make: Case):
    for finding in _findings(make):
        assert finding.message.strip() and finding.fix.strip(), finding
        assert finding.fix_url.startswith("/"), finding
        assert "{" not in finding.message and "None" not in finding.message, finding


# --- Odd data ---------------------------------------------------------------------------------


def _odd_provider() -> ProviderSnap:
    return ProviderSnap(
        public_id="",
        name="",
        npi="abc",
        taxonomy="x",
        license_type="wizard",
        prescriber=False,
        accepted_by_payer=False,
        blocks={"2026-11-02": ("string key",), DOS: ()},  # type: ignore[dict-item]
    )


def _odd_line(number: int) -> LineSnap:
    return LineSnap(
        number=number,
        control_number="",
        service_date=DOS,
        service_date_to=DOS - dt.timedelta(days=3),
        code="90840",
        modifiers=("59", "", "XX", "95", "GT"),
        units=None,  # type: ignore[arg-type]
        charge="abc",  # type: ignore[arg-type]
        pointers=(0, "1", 99),  # type: ignore[arg-type]
        rendering=_odd_provider(),
        services=("missing", ""),
    )


ODD = [
    pytest.param(
        lambda: replace(
            professional(),
            lines=(_odd_line(1), _odd_line(1)),
            total_charge=Decimal("NaN"),
            diagnoses=("", "z", "F"),
            frequency="",
            program="sud",
            level="php",
            rendering=None,
            supervising=_odd_provider(),
            attending=_odd_provider(),
            consent=ConsentSnap(required=True, permitted=False),
            billing=dataclasses.replace(
                professional().billing, npi="", tin="", taxonomy="", address=Address()
            ),
            payer_edits=PayerEdits(
                same_day_pairs=(("90840",), ("90840", "90840"), ("90839", "90840")),  # type: ignore[arg-type]
                once_a_day=("90840",),
                timely_filing_days=-5,
            ),
            other_claims=(
                OtherClaimSnap(control_number="", payer_id="60054", lines=((DOS, "90840", ()),)),
                OtherClaimSnap(control_number="X", payer_id="60054", lines=((DOS,),)),  # type: ignore[arg-type]
            ),
            services=(
                ServiceSnap(
                    public_id="s",
                    kind="",
                    service_date=DOS,
                    status="",
                    minutes=None,
                    coding_errors=("", " "),
                    day_outcome="unknown",
                    auth=AuthSnap(needed=True, covered=False, message="", problem="nonsense"),
                    plan_review_due=DOS,
                ),
            ),
        ),
        id="everything-odd",
    ),
    pytest.param(lambda: replace(professional(), lines=(), services=(), diagnoses=()), id="empty"),
    pytest.param(
        lambda: replace(institutional(), type_of_bill="", admission_date=None, attending=None),
        id="institutional-bare",
    ),
    pytest.param(
        lambda: with_auth(
            professional(), message="outside the authorized span of A (2026-13-45 to x)"
        ),
        id="unparseable-span",
    ),
]


@pytest.mark.parametrize("make", ODD)
def test_odd_data_never_makes_an_edit_fail(make):
    findings = scrub(make())
    assert "SCRUB-FAULT" not in {f.code for f in findings}
    assert all(f.message.strip() and f.fix.strip() for f in findings)


# --- The wording of other modules' verdicts ---------------------------------------------------

_PAYER = PayerAuthRules(name="Evergreen", required_levels=frozenset({"outpatient"}))


def _auth(**changes) -> AuthFacts:
    base = AuthFacts(
        id=1,
        number="AUTH-7",
        coverage_id=1,
        coverage_label="Evergreen",
        level="outpatient",
        episode_id=None,
        codes=(),
        unit_type="visits",
        start=DOS - dt.timedelta(days=30),
        end=DOS + dt.timedelta(days=30),
        usable=True,
        status_label="Approved",
        units_authorized=Decimal(10),
        units_remaining=Decimal(5),
    )
    return dataclasses.replace(base, **changes)


_SERVICE = ServiceForAuth(
    on_date=DOS, level="outpatient", episode_id=None, coverage_id=1, lines=(BilledLine("90837"),)
)


@pytest.mark.parametrize(
    ("auths", "code"),
    [
        ((), "AUTH-MISSING"),
        ((_auth(level="iop"),), "AUTH-OTHER-LEVEL"),
        ((_auth(start=DOS + dt.timedelta(days=1)),), "AUTH-NOT-YET-EFFECTIVE"),
        ((_auth(end=DOS - dt.timedelta(days=1)),), "AUTH-EXPIRED"),
        ((_auth(units_remaining=Decimal(0)),), "AUTH-EXHAUSTED"),
        ((_auth(usable=False, status_label="Denied"),), "AUTH-NOT-COVERED"),
        ((_auth(),), None),
    ],
)
def test_the_auth_rules_wording_is_read_into_the_right_code(auths, code):
    check = authorization_check(_SERVICE, _PAYER, auths)
    snapshot = with_auth(
        professional(),
        needed=check.needed,
        covered=check.covered,
        message=check.message,
        reasons=check.reasons,
        auth_number="AUTH-7",
    )
    assert [f.code for f in scrub(snapshot)] == ([code] if code else [])


@pytest.mark.parametrize(
    ("diagnoses", "program", "code"),
    [
        (("Z63.0", "F43.23"), "mh", "DX-Z-PRIMARY"),
        (("F33.1", "F10.20"), "sud", "DX-PROGRAM-FIT"),
        (("F10.20", "O99.310"), "sud", "DX-SEQUENCE"),
    ],
)
def test_a_sequencing_error_the_scrubber_reports_itself_is_reported_once(diagnoses, program, code):
    errors = tuple(sequencing_errors(diagnoses, program, DiagnosisRules(payer_name="Evergreen")))
    assert errors
    permitted = ConsentSnap(required=True, permitted=True)
    snapshot = replace(
        professional(),
        diagnoses=diagnoses,
        program=program,
        diagnosis_errors=errors,
        consent=permitted,
    )
    assert [f.code for f in scrub(snapshot)] == [code]
