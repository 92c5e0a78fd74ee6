"""Codes by program on the payer pages: billing managers edit `Payer.program_codes` through
structured rows (a program day per level, then group, evaluation and service codes at any
level), the engine bills what they saved for that program only, bad rows get field errors and
save nothing, and the detail page reads the codes in plain words."""

from __future__ import annotations

import html
import re

import pytest

from payers.rules import SERVICE_CODE_KINDS
from payers.views.summaries import SERVICE_LABELS
from tests.payers.conftest import PAGES

pytestmark = pytest.mark.django_db
MEDICAID, MCO = "State Medicaid (example)", "Medicaid MCO (example)"


def _url(payer, suffix=""):
    return f"{PAGES}payers/{payer.public_id}/{suffix}"


def _row(page: str, testid: str) -> str:
    """The text of the table row or list marked `testid`, tags stripped."""
    found = re.search(rf'data-testid="{testid}">(.*?)</(tr|ul)>', page, re.S)
    assert found, testid
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()))


def test_every_service_kind_a_payer_may_code_has_a_row():
    assert set(SERVICE_LABELS) == set(SERVICE_CODE_KINDS)


def test_the_detail_page_reads_each_programs_codes_and_what_applies_without_them(catalog, biller):
    page = biller.get(_url(catalog[MEDICAID])).text
    mh_iop = _row(page, "program-code-mh-iop-program_day")
    sud_iop = _row(page, "program-code-sud-iop-program_day")
    assert mh_iop == "Intensive outpatient (IOP) Program day MH IOP per diem S9480 0905 — per diem"
    assert sud_iop == (
        "Intensive outpatient (IOP) Program day SUD IOP per diem H0015 0906 — per diem"
    )
    assert _row(page, "program-code-sud-any-group") == (
        "Any level Group H0005 — HQ per 15 minutes attended"
    )
    mh_independent = _row(page, "program-codes-mh-independent")
    assert "Partial hospitalization (PHP) program day: H0035 (rev 0912), per diem" in mh_independent
    assert "Group: 90853, one unit per session" in mh_independent
    assert "Evaluation: 90791 billed as H0031" in mh_independent
    assert "Individual psychotherapy: their CPT codes" in mh_independent
    assert "Individual psychotherapy" not in _row(page, "program-codes-sud-independent")
    medicare = biller.get(_url(catalog["Medicare Part B"])).text
    assert "No MH codes of its own." in medicare
    assert "Peer support, case management, skills training, community support: no code" in (
        _row(medicare, "program-codes-sud-independent")
    )
