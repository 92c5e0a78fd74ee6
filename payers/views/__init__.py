"""Payer pages. Billing managers edit every payer rule through structured inputs;
the form turns them into the payer's rule columns and the services validate and save them.

Modules: `fields` (shared inputs and choices), `payer_form` (PayerForm), `columns` (form values
<-> payer columns), `program_codes` (the codes-by-program rows of the form), `summaries` (rules
in plain words), `payer_pages` (the views); the URLs are in `payers.urls`.
"""

from __future__ import annotations

from payers.views.columns import payer_columns, payer_initial
from payers.views.payer_form import PayerForm

__all__ = ["PayerForm", "payer_columns", "payer_initial"]
