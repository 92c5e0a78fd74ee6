"""Signals other apps listen to (they sit above patients in the import order)."""

from django.dispatch import Signal

# Sent inside the recording transaction with `sessions=[Session, ...]` once sessions are saved;
# authorizations consumes units from it. Receivers must not refuse the recording: a session
# that happened is kept even when no authorization covers it (the claim scrubber flags that).
sessions_recorded = Signal()

# Sent inside the transaction when a saved session's status changes, with `session` and
# `previous` (the old status); authorizations releases or consumes units from it.
session_status_changed = Signal()
