"""The clinic's sites: each facility's billing identity (Type-2 NPI, TIN, taxonomy), address and
place of service, and the billing profiles that bill a program or a payer under another
identity (another NPI, TIN or remit address)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from coding.types import ProgramKind
from payers.models import Payer
from rcm.tenancy.models import TenantModel

# "" = any program; the values are the patients' programs (MH, SUD).
PROFILE_PROGRAM_CHOICES = [("", "Any program"), *((p.value, p.label) for p in ProgramKind)]


class Facility(TenantModel):
    name = models.CharField(max_length=120)
    npi = models.CharField("Type-2 NPI", max_length=10, blank=True)
    # The employer identification number the site bills under (837 2010AA REF*EI).
    tin = models.CharField("TIN (EIN)", max_length=9, blank=True)
    taxonomy = models.CharField(max_length=10, blank=True)
    address_line1 = models.CharField(max_length=120)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    pos = models.CharField("Place of service", max_length=2, default="11")
    # Type of bill, first two digits: facility type + classification of this site's
    # institutional claims (13 hospital outpatient, 76 CMHC, 86 residential, 89 other special
    # facility: REFERENCE.md §2). Blank: the payer's level data says.
    bill_type = models.CharField("Type of bill (facility type)", max_length=2, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="uniq_facility_name"),
            models.CheckConstraint(
                condition=Q(tin="") | Q(tin__regex=r"^[0-9]{9}$"), name="facility_tin_nine_digits"
            ),
        ]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class BillingProfile(TenantModel):
    """The billing provider (837 loop 2010AA) and optional pay-to address (2010AB) a facility's
    claims carry for one program and/or one payer; blank program or payer = any. The most
    specific active profile wins (facilities.selectors.billing_identity_for); without one the
    facility's own name, NPI, TIN and address are billed."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="billing_profiles"
    )
    program = models.CharField(max_length=3, blank=True, choices=PROFILE_PROGRAM_CHOICES)
    payer = models.ForeignKey(
        Payer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_profiles",
        help_text="Blank: any payer",
    )
    # NM103 holds 60 characters; N301/N302 55; N401 30 (837 5010).
    billing_name = models.CharField(max_length=60)
    npi = models.CharField("Type-2 NPI", max_length=10)
    tin = models.CharField("TIN (EIN)", max_length=9)
    taxonomy = models.CharField(max_length=10)
    address_line1 = models.CharField(max_length=55)
    address_line2 = models.CharField(max_length=55, blank=True)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    # The billing provider's ZIP code must be 9 digits (837 2010AA N403); stored as digits.
    postal_code = models.CharField("ZIP+4", max_length=9)
    # Pay-to address (2010AB): where payment goes when not to the billing address (a PO box or
    # a lockbox is fine here). All blank = the billing address.
    pay_to_address_line1 = models.CharField(max_length=55, blank=True)
    pay_to_address_line2 = models.CharField(max_length=55, blank=True)
    pay_to_city = models.CharField(max_length=30, blank=True)
    pay_to_state = models.CharField(max_length=2, blank=True)
    pay_to_postal_code = models.CharField(max_length=9, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            # One profile per facility, program and payer; the null payer ("any payer") is
            # covered by its own partial constraint, since NULLs never clash in a unique index.
            models.UniqueConstraint(
                fields=["org", "facility", "program", "payer"],
                condition=Q(payer__isnull=False),
                name="uniq_billing_profile_payer",
            ),
            models.UniqueConstraint(
                fields=["org", "facility", "program"],
                condition=Q(payer__isnull=True),
                name="uniq_billing_profile_any_payer",
            ),
            models.CheckConstraint(
                condition=Q(npi__regex=r"^[0-9]{10}$"), name="billing_profile_npi_ten_digits"
            ),
            models.CheckConstraint(
                condition=Q(tin__regex=r"^[0-9]{9}$"), name="billing_profile_tin_nine_digits"
            ),
            models.CheckConstraint(
                condition=Q(postal_code__regex=r"^[0-9]{9}$"), name="billing_profile_zip_plus_4"
            ),
            models.CheckConstraint(
                condition=Q(pay_to_postal_code="")
                | Q(pay_to_postal_code__regex=r"^[0-9]{5}([0-9]{4})?$"),
                name="billing_profile_pay_to_zip",
            ),
        ]
        ordering = ["facility_id", "program", "payer_id"]

    def __str__(self) -> str:
        return f"{self.billing_name} ({self.scope_label})"

    @property
    def scope_label(self) -> str:
        program = dict(PROFILE_PROGRAM_CHOICES)[self.program] if self.program else "any program"
        payer = self.payer.name if self.payer_id else "any payer"
        return f"{program}, {payer}"
