"""Signals other apps listen to (they sit above patients in the import order)."""

from django.dispatch import Signal

# Sent inside the recording transaction with `sessions=[Session, ...]` once sessions are saved;
# authorizations consumes units from it. Receivers must not refuse the recording: a session
# that happened is kept even when no authorization covers it (the claim scrubber flags that).
sessions_recorded = Signal()

# Sent inside the transaction when a saved session's status changes, with `session` and
# `previous` (the old status); authorizations releases or consumes units from it.
session_status_changed = Signal()

# Sent inside the correction transaction with `session` (saved, corrected), `previous` (an
# unsaved copy as it was before) and `changes` (the corrected field names); authorizations
# releases the old debit and consumes the new one when what is billed changed.
session_corrected = Signal()

# Sent inside the transaction when the services recorded inside a program day are replaced,
# with `session` (its revision moved on); authorizations releases the old debit and consumes
# for what is billed now.
program_day_services_changed = Signal()
