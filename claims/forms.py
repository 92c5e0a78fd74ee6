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
