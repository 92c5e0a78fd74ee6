"""Forms of the claim pages. They parse input only; the services decide (and their field errors
are shown on the page). Every action on a claim carries the version the biller saw."""

from __future__ import annotations

from django import forms

DATE = forms.DateInput(attrs={"type": "date"})


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReasonForm(VersionForm):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(VersionForm):
    note = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_on = forms.DateField(required=False, widget=DATE, label="Follow up on")


class SavedFilterForm(forms.Form):
    name = forms.CharField(max_length=60, label="Save these filters as")


class ClearinghouseForm(forms.Form):
    """The clearinghouse account. Everything is text here: the service checks the values (and
    its field errors land on these fields). Secret fields are never filled back in: blank
    keeps the stored secret."""

    adapter = forms.ChoiceField(choices=())
    submitter_name = forms.CharField(label="Submitter name (1000A)", required=False)
    submitter_id = forms.CharField(label="Submitter id / ETIN (1000A NM109)", required=False)
    contact_name = forms.CharField(label="Contact name", required=False)
    contact_phone = forms.CharField(label="Contact phone", required=False)
    contact_email = forms.CharField(label="Contact email", required=False)
    receiver_name = forms.CharField(label="Receiver name (1000B)", required=False)
    receiver_id = forms.CharField(label="Receiver id (1000B NM109)", required=False)
    isa_sender_qualifier = forms.ChoiceField(label="Sender id qualifier (ISA05)", choices=())
    isa_sender_id = forms.CharField(label="Sender id (ISA06, GS02)", required=False)
    isa_receiver_qualifier = forms.ChoiceField(label="Receiver id qualifier (ISA07)", choices=())
    isa_receiver_id = forms.CharField(label="Receiver id (ISA08, GS03)", required=False)
    usage_indicator = forms.ChoiceField(label="Usage (ISA15)", choices=())
    host = forms.CharField(label="SFTP host", required=False)
    port = forms.CharField(label="SFTP port", required=False, initial="22")
    username = forms.CharField(label="SFTP username", required=False)
    outbox = forms.CharField(label="Remote outbox (837s uploaded to)", required=False)
    inbox = forms.CharField(label="Remote inbox (responses read from)", required=False)
    archive = forms.CharField(
        label="Remote archive", required=False, help_text="Blank: responses are removed."
    )
    host_key = forms.CharField(
        label="Server host key", required=False, help_text="The line ssh-keyscan prints."
    )
    host_key_checking = forms.ChoiceField(
        label="Host key checking",
        choices=(("strict", "Strict"), ("off", "Off (testing only)")),
        required=False,
    )
    password = forms.CharField(
        label="Replace password", required=False, widget=forms.PasswordInput(render_value=False)
    )
    private_key = forms.CharField(
        label="Replace private key",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="PEM or OpenSSH text.",
    )
    private_key_passphrase = forms.CharField(
        label="Replace key passphrase",
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    export_dir = forms.CharField(label="Export folder (absolute)", required=False)
    import_dir = forms.CharField(label="Import folder (absolute)", required=False)
    archive_dir = forms.CharField(
        label="Archive folder (absolute)", required=False, help_text="Blank: import/archive."
    )

    def __init__(self, *args: object, credentials: dict[str, str] | None = None, **kwargs) -> None:
        from claims.clearinghouse.services import ISA_QUALIFIERS
        from claims.models import ClearinghouseAccount

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["adapter"].choices = ClearinghouseAccount.Adapter.choices
        self.fields["usage_indicator"].choices = ClearinghouseAccount.Usage.choices
        for name in ("isa_sender_qualifier", "isa_receiver_qualifier"):
            self.fields[name].choices = list(ISA_QUALIFIERS.items())
            self.fields[name].initial = "ZZ"
        for name, state in (credentials or {}).items():
            self.fields[
                name
            ].help_text = f"Now {state}. Blank keeps it. {self.fields[name].help_text}".strip()
