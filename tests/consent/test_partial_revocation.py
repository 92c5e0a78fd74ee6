"""Partial revocation: a patient revokes a consent for one of its named recipients only
(REFERENCE §14, SAMHSA FAQ); the others keep it. Like a whole revocation (42 CFR 2.31(a)(6)) it
is written or electronic and prospective."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent.gate import consent_for_disclosure, consent_scope_summary
from consent.models import RecipientRevocation
from consent.services import consent_revoke_recipient
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import days_ago, on, today


def _named(patient=None, **fields):
    defaults = dict(
        kind="specific",
        recipient_kind="named",
        recipients="Acme Health Plan\nBeta Insurance",
        purpose="Billing my insurers for this admission",
        expiration_event="",
        expires_on=today() + datetime.timedelta(days=90),
        signed_on=days_ago(30),
        recipient_covered_entity=True,
        redisclosure_notice_stated=True,
        refusal_consequences_stated=False,
    )
    return factories.part2_consent(patient or factories.patient(), **{**defaults, **fields})


def _allowed(consent, name: str) -> bool:
    return consent_for_disclosure(
        patient=consent.patient,
        recipient_kind="health_plan",
        recipient_name=name,
        purpose="payment",
        carries=["demographics", "claims_payment"],
    ).allowed


def _revoke(consent, recipient="Beta Insurance", revoked_on=None, method="written"):
    return consent_revoke_recipient(
        consent=consent,
        recipient=recipient,
        revoked_on=revoked_on or days_ago(0),
        method=method,
        actor=None,
    )


def test_revoking_for_one_named_recipient_leaves_the_others_covered(in_org_a):
    """SAMHSA FAQ (partial revocation), 42 CFR 2.31(a)(4): the other recipients keep it."""
    consent = _named()
    _revoke(consent, "beta  insurance")
    assert _allowed(consent, "Acme Health Plan")
    assert not _allowed(consent, "Beta Insurance")
    reasons = consent_for_disclosure(
        patient=consent.patient,
        recipient_kind="health_plan",
        recipient_name="Beta Insurance",
        purpose="payment",
        carries=["claims_payment"],
    ).reasons
    assert f"was revoked for Beta Insurance on {days_ago(0)}" in reasons[0]


def test_a_partial_revocation_is_prospective(in_org_a):
    """42 CFR 2.31(a)(6): it works from its date on, not before."""
    consent = _named()
    _revoke(consent, revoked_on=days_ago(2))
    with on(days_ago(3)):
        assert _allowed(consent, "Beta Insurance")
    with on(days_ago(2)):
        assert not _allowed(consent, "Beta Insurance")


def test_the_scope_explanation_names_the_recipient_no_longer_covered(in_org_a):
    """42 CFR 2.32(b): the explanation of the consent's scope stays accurate."""
    consent = _named()
    _revoke(consent)
    assert f"Revoked for Beta Insurance on {days_ago(0)}." in consent_scope_summary(consent)


@pytest.mark.parametrize(
    ("setup", "recipient", "revoked_on", "method", "field", "text"),
    [
        ("class", "Acme Health Plan", 0, "written", "recipient", "names its recipients"),
        ("named", "Gamma Health", 0, "written", "recipient", "Choose one of the recipients"),
        ("twice", "Beta Insurance", 0, "written", "recipient", "already revoked for"),
        ("revoked", "Beta Insurance", 0, "written", "recipient", "already revoked on"),
        ("named", "Beta Insurance", 31, "written", "revoked_on", "prospective"),
        ("named", "Beta Insurance", -1, "written", "revoked_on", "future"),
        ("named", "Beta Insurance", 0, "phone", "method", "writing or electronic"),
    ],
)
def test_an_invalid_partial_revocation_is_refused_and_nothing_saved(
    in_org_a, setup, recipient, revoked_on, method, field, text
):
    """42 CFR 2.31(a)(6) and the SAMHSA FAQ: named recipients only, once, dated from the
    signature to today, in writing or electronically."""
    if setup == "class":
        consent = factories.part2_consent(signed_on=days_ago(30))
    elif setup == "revoked":
        consent = _named(revoked_on=days_ago(1), revocation_method="written")
    else:
        consent = _named()
    if setup == "twice":
        _revoke(consent)
    before = RecipientRevocation.objects.count()
    with pytest.raises(ValidationError) as exc:
        _revoke(consent, recipient, days_ago(revoked_on), method)
    assert list(exc.value.message_dict) == [field]
    assert text in exc.value.message_dict[field][0]
    assert RecipientRevocation.objects.count() == before


def _url(org, name, public_id):
    return reverse(f"consent:{name}", kwargs={"org_slug": org.slug, "public_id": public_id})


def test_the_revoke_page_offers_each_named_recipient_and_revokes_for_one(client, org_a):
    """SAMHSA FAQ (partial revocation), 42 CFR 2.31(a)(6): on the page."""
    client.force_login(factories.member(org_a, role="intake", part2_access=True))
    with org_context(org_a):
        consent = _named()
    url = _url(org_a, "consent_revoke", consent.public_id)
    page = client.get(url).content.decode()
    assert 'value="Acme Health Plan"' in page and 'value="Beta Insurance"' in page
    posted = {"recipient": "Beta Insurance", "revoked_on": today().isoformat(), "method": "written"}
    assert client.post(url, posted).status_code == 302
    detail = client.get(_url(org_a, "consent_detail", consent.public_id)).content.decode()
    assert 'data-testid="recipient-revoked">Beta Insurance' in detail
    assert 'value="Beta Insurance"' not in client.get(url).content.decode()
    with org_context(org_a):
        consent.refresh_from_db()
        assert consent.revoked_on is None  # the consent itself stays in force


def test_the_api_revokes_for_one_named_recipient(client, org_a):
    """SAMHSA FAQ (partial revocation), 42 CFR 2.31(a)(6): through the API."""
    client.force_login(factories.member(org_a, role="compliance", part2_access=True))
    with org_context(org_a):
        consent = _named()
    response = client.post(
        f"/api/o/{org_a.slug}/part2-consents/{consent.public_id}/revoke/",
        {"recipient": "Beta Insurance", "revoked_on": today().isoformat(), "method": "electronic"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["revoked_on"] is None
    assert body["recipient_revocations"] == [
        {"recipient": "Beta Insurance", "revoked_on": today().isoformat(), "method": "electronic"}
    ]
