"""manage.py build_837 (the drop-folder workflow) and manage.py import_x12, with their JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Claim, SubmissionBatch
from edi.x837_read import list_claims
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.edi.samples import SAMPLES, needs_samples

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def _patient():
    return factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )


@pytest.fixture
def ready(org_a):
    with org_context(org_a):
        factories.clearinghouse_account(adapter="folder", settings={})
        payer = factories.payer(name="Acme Health")
        claims = [
            builders.claim(patient=_patient(), payer=payer),
            builders.claim(patient=_patient(), payer=payer),
            builders.claim(patient=_patient(), payer=payer, kind="837i"),
            builders.claim(patient=_patient(), payer=payer, status=Claim.Status.HELD),
        ]
    return claims


def test_build_837_writes_the_ready_claims_into_the_folder(org_a, ready, tmp_path):
    result = run("build_837", "--org", org_a.slug, "--out", str(tmp_path / "out"))
    assert result["claims"] == 3 and result["held"] == 0
    assert result["by_type"] == {"837p": 2, "837i": 1}
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(result["files"]) and len(written) == 2
    pcns = {
        c.patient_control_number
        for name in written
        for c in list_claims((tmp_path / "out" / name).read_bytes())
    }
    assert pcns == {c.control_number for c in ready[:3]}
    with org_context(org_a):
        assert set(SubmissionBatch.objects.values_list("status", flat=True)) == {"sent"}
        statuses = dict(Claim.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in ready] == ["submitted", "submitted", "submitted", "held"]
    again = run("build_837", "--org", org_a.slug, "--out", str(tmp_path / "out"))
    assert again == {"files": [], "claims": 0, "held": 0, "by_type": {"837p": 0, "837i": 0}}


def test_build_837_needs_a_known_org(org_a, tmp_path):
    with pytest.raises(CommandError, match="No organization"):
        run("build_837", "--org", "nope", "--out", str(tmp_path))


def test_build_837_needs_the_clearinghouse_account(org_a, tmp_path):
    with org_context(org_a):
        builders.claim(patient=_patient())
    with pytest.raises(CommandError, match="clearinghouse account"):
        run("build_837", "--org", org_a.slug, "--out", str(tmp_path))


@needs_samples
def test_import_x12_prints_what_each_file_did(org_a, ready, tmp_path):
    run("build_837", "--org", org_a.slug, "--out", str(tmp_path / "out"))
    with org_context(org_a):
        batch = SubmissionBatch.objects.get(kind="837p")
    from tests.claims.test_acks import _999

    rejected = tmp_path / "ours.999"
    with org_context(org_a):
        rejected.write_bytes(_999(batch))
    files = [
        str(rejected),
        str(rejected),
        str(SAMPLES / "277" / "imsweb__277ca-accepted.x12"),
        str(SAMPLES / "835" / "lfh__managed-care.x12"),
    ]
    result = run("import_x12", "--org", org_a.slug, *files)
    assert {
        k: result[k]
        for k in (
            "files",
            "acknowledgments_999",
            "acknowledgments_277ca",
            "claims_accepted",
            "claims_rejected",
            "duplicates_skipped",
        )
    } == {
        "files": 4,
        "acknowledgments_999": 1,
        "acknowledgments_277ca": 1,
        "claims_accepted": 0,
        "claims_rejected": 2,
        "duplicates_skipped": 1,
    }
    # lfh managed-care is an 835 whose BPR16 (payment date) is not a date: the posting refuses it
    (refused,) = result["refused"]
    assert refused["file"] == "lfh__managed-care.x12"
    assert refused["reason"].startswith("Not a readable 835:") and "BPR16" in refused["reason"]
    assert result["claims_unmatched"] >= 1


def test_import_x12_refuses_a_path_that_is_not_a_file(org_a, tmp_path):
    with pytest.raises(CommandError, match="Not a file"):
        run("import_x12", "--org", org_a.slug, str(tmp_path / "missing.999"))


def test_import_x12_needs_a_known_org(tmp_path):
    with pytest.raises(CommandError, match="No organization"):
        run("import_x12", "--org", "nope", str(tmp_path))
