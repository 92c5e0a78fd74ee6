"""The clinic's sites: each facility's billing identity (Type-2 NPI, taxonomy), address and
place of service."""

from __future__ import annotations

from django.db import models

from rcm.tenancy.models import TenantModel


class Facility(TenantModel):
    name = models.CharField(max_length=120)
    npi = models.CharField("Type-2 NPI", max_length=10, blank=True)
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
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="uniq_facility_name")]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name
