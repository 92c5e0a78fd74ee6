"""Page forms. They only parse input; the services validate and report field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from coding.types import LICENSE_CHOICES
from credentialing import rules
from credentialing.compacts import COMPACT_CHOICES
from credentialing.models import CompactPrivilege, License, PayerEnrollment, Provider
from payers.models import Payer
from rcm.models import Membership

BLANK = [("", "—")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the matching form fields (others on the form)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages in errors.items():
        form.add_error(name if name in form.fields else None, messages)


class ProviderFilterForm(forms.Form):
    search = forms.CharField(required=False, label="Name or NPI")
    license_type = forms.ChoiceField(
        choices=[("", "Any")] + LICENSE_CHOICES, required=False, label="License type"
    )
    active = forms.ChoiceField(
        choices=[("true", "Active"), ("false", "Inactive"), ("", "All")],
        required=False,
        initial="true",
    )


class ProviderForm(forms.Form):
    first_name = forms.CharField(max_length=60)
    last_name = forms.CharField(max_length=60)
    credentials = forms.CharField(max_length=40, required=False, help_text="e.g. LCSW, MD")
    npi = forms.CharField(label="Type-1 NPI", max_length=20)
    taxonomy = forms.CharField(
        max_length=20,
        help_text="NUCC code, e.g. 1041C0700X",
        widget=forms.TextInput(attrs={"list": "taxonomies"}),
    )
    license_type = forms.ChoiceField(choices=LICENSE_CHOICES, label="License type")
    supervisor = forms.ModelChoiceField(
        queryset=Provider.objects.none(), required=False, to_field_name="public_id"
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        to_field_name="username",
        label="Sign-in account",
        help_text="The clinician's own login: notes and plans are signed with it.",
    )
    caqh_id = forms.CharField(label="CAQH ProView id", max_length=20, required=False)
    caqh_attested_on = forms.DateField(
        label="CAQH last attestation", required=False, widget=DateInput()
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args: Any, instance: Provider | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Provider.objects.filter(is_active=True).exclude(
            license_type__in=rules.CANNOT_SUPERVISE
        )
        if instance is not None:
            choices = choices.exclude(pk=instance.pk)
        self.fields["supervisor"].queryset = choices
        members = Membership.objects.filter(is_active=True).values("user_id")
        self.fields["user"].queryset = (
            get_user_model().objects.filter(pk__in=members).order_by("username")
        )

    @staticmethod
    def initial_for(provider: Provider) -> dict[str, Any]:
        names = ProviderForm.base_fields
        return {name: getattr(provider, name) for name in names}


class LicenseForm(forms.Form):
    state = forms.CharField(max_length=2, help_text="Two letters, e.g. IL")
    number = forms.CharField(max_length=40)
    license_type = forms.ChoiceField(
        choices=BLANK + LICENSE_CHOICES,
        required=False,
        label="License type",
        help_text="Blank: the provider's",
    )
    status = forms.ChoiceField(choices=License.Status.choices, initial=License.Status.ACTIVE)
    status_effective_on = forms.DateField(
        required=False,
        label="Status applies from",
        help_text="Only when the status changes. Blank: today",
        widget=DateInput(),
    )
    issued_on = forms.DateField(
        required=False,
        label="Valid from",
        help_text="The issue date (or the latest renewal's start when editing)",
        widget=DateInput(),
    )
    expires_on = forms.DateField(widget=DateInput())

    @staticmethod
    def initial_for(lic: License) -> dict[str, Any]:
        names = [name for name in LicenseForm.base_fields if name != "status_effective_on"]
        return {name: getattr(lic, name) for name in names}


class LicenseRenewalForm(forms.Form):
    starts_on = forms.DateField(
        required=False,
        label="Valid from",
        help_text="Blank: the day after the current term expires (renewed on time). "
        "Renewed late: the date the renewal took effect; the days between are not covered.",
        widget=DateInput(),
    )
    expires_on = forms.DateField(label="Expires on", widget=DateInput())


class LicenseStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=License.Status.choices,
        help_text="Suspended or revoked after a board action; active to record a reinstatement",
    )
    effective_on = forms.DateField(
        label="Applies from",
        help_text="Services before this date keep the status they had",
        widget=DateInput(),
    )
    note = forms.CharField(
        max_length=200, required=False, help_text="e.g. the board order number, or why"
    )


class _HomeLicenseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.state} {obj.number} ({obj.get_license_type_display()})"


class PrivilegeForm(forms.Form):
    compact = forms.ChoiceField(
        choices=COMPACT_CHOICES,
        help_text="PSYPACT covers psychologists, the Counseling Compact LPC/LMHCs, the Social "
        "Work Compact LCSWs. Nurse practitioners have no compact (the NLC covers RNs only).",
    )
    state = forms.CharField(
        max_length=2, help_text="The state the privilege is for (where the patients are), e.g. WA"
    )
    number = forms.CharField(
        max_length=40,
        label="Privilege number",
        help_text="The APIT, privilege or multistate license number",
    )
    home_license = _HomeLicenseChoice(
        queryset=License.objects.none(),
        to_field_name="public_id",
        label="Home license",
        help_text="The home-state license it rests on: it must be valid on the date of service too",
    )
    effective_on = forms.DateField(label="Valid from", widget=DateInput())
    expires_on = forms.DateField(
        required=False, label="Expires on", help_text="Blank: no expiry", widget=DateInput()
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_license"].queryset = License.objects.filter(provider=provider).order_by(
            "state", "number"
        )


class PrivilegeEditForm(PrivilegeForm):
    status = forms.ChoiceField(
        choices=CompactPrivilege.Status.choices,
        help_text="Active to reopen a privilege ended by mistake",
    )
    ended_on = forms.DateField(
        required=False,
        label="Last valid day",
        help_text="Only for a privilege relinquished or revoked early",
        widget=DateInput(),
    )

    @staticmethod
    def initial_for(p: CompactPrivilege) -> dict[str, Any]:
        return {name: getattr(p, name) for name in PrivilegeEditForm.base_fields}


class PrivilegeEndForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CompactPrivilege.Status.RELINQUISHED, "Relinquished"),
            (CompactPrivilege.Status.REVOKED, "Revoked"),
        ],
        help_text="Relinquished by the clinician (e.g. a move to another home state), or "
        "revoked by the compact commission or the state",
    )
    ended_on = forms.DateField(
        label="Last valid day",
        help_text="Services after this day are not covered by the privilege",
        widget=DateInput(),
    )
    note = forms.CharField(max_length=200, required=False, help_text="e.g. the notice, or why")


class EnrollmentForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.none(), to_field_name="public_id")
    status = forms.ChoiceField(choices=PayerEnrollment.Status.choices)
    submitted_on = forms.DateField(required=False, widget=DateInput())
    effective_date = forms.DateField(
        required=False,
        help_text="First billable date of the current period. Medicare pays services up to 30 "
        "days before the effective date PECOS shows (42 CFR 424.521(a)(1); 90 days after a "
        "declared disaster): enter that earlier date when services were furnished in the "
        "window. A date after an ended period's end date adds a new period (a re-enrollment); "
        "the ended period is kept.",
        widget=DateInput(),
    )
    end_date = forms.DateField(
        required=False,
        help_text="The last covered day, included (for a payer's termination effective date, "
        "enter the day before it). Blank: still enrolled.",
        widget=DateInput(),
    )
    recredential_due = forms.DateField(required=False, widget=DateInput())
    payer_provider_id = forms.CharField(max_length=40, required=False, label="Payer provider id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(is_active=True).order_by("name")

    @staticmethod
    def initial_for(e: PayerEnrollment) -> dict[str, Any]:
        return {name: getattr(e, name) for name in EnrollmentForm.base_fields}


class CaqhForm(forms.Form):
    attested_on = forms.DateField(label="Attested on", widget=DateInput())
    caqh_id = forms.CharField(label="CAQH ProView id", max_length=20, required=False)

    def clean_caqh_id(self) -> str | None:
        return self.cleaned_data["caqh_id"] or None  # blank keeps the id on file


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, label="As of", widget=DateInput())
