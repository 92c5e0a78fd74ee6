"""The chargemaster: what the clinic charges for a code (HCPCS/CPT, with modifiers) or a
revenue code, over a span of dates. A claim line's charge comes from here (the payer's fee
schedule is what the clinic expects to be paid, not what it bills)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q

from rcm.tenancy.models import TenantModel

MAX_MODIFIERS = 4  # 837P SV101-3..6 / 837I SV202-3..6


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class ModifierKey(Func):
    """The modifiers as one comparable text ("HQ:GT::"), immutable so an exclusion constraint
    can index it (array_to_string is only stable). Entries store their modifiers sorted."""

    template = (
        "("
        + " || ':' || ".join(
            f"COALESCE((%(expressions)s)[{n}], '')" for n in range(1, MAX_MODIFIERS + 1)
        )
        + ")"
    )
    output_field = models.TextField()


class ChargemasterEntry(TenantModel):
    # Blank code: a revenue-code-only charge (837I lines without HCPCS, e.g. 1002 residential).
    code = models.CharField("HCPCS/CPT", max_length=5, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    modifiers = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, size=MAX_MODIFIERS
    )
    description = models.CharField(max_length=120, blank=True)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="", revenue_code=""), name="charge_has_code_or_revenue_code"
            ),
            models.CheckConstraint(
                condition=Q(code="") | Q(code__regex=r"^[0-9A-Z]{5}$"), name="charge_code_shape"
            ),
            models.CheckConstraint(
                condition=Q(revenue_code="") | Q(revenue_code__regex=r"^[0-9]{4}$"),
                name="charge_revenue_code_four_digits",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_not_negative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="charge_ends_after_start",
            ),
            # ArrayField(size=4) is not enforced by PostgreSQL.
            models.CheckConstraint(
                condition=Q(modifiers__len__lte=MAX_MODIFIERS), name="charge_at_most_4_modifiers"
            ),
            # One price a day for a code, revenue code and set of modifiers.
            ExclusionConstraint(
                name="charge_no_overlap",
                expressions=[
                    ("org", RangeOperators.EQUAL),
                    ("code", RangeOperators.EQUAL),
                    ("revenue_code", RangeOperators.EQUAL),
                    (ModifierKey("modifiers"), RangeOperators.EQUAL),
                    (
                        DateRange("effective_from", "effective_to", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(is_active=True),
            ),
        ]
        ordering = ["code", "revenue_code", "modifiers", "-effective_from"]
        verbose_name_plural = "chargemaster entries"

    def __str__(self) -> str:
        what = self.code or f"rev {self.revenue_code}"
        mods = f":{':'.join(self.modifiers)}" if self.modifiers else ""
        return f"{what}{mods} {self.amount} from {self.effective_from}"
