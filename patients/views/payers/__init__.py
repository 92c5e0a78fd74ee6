"""Payer and facility pages. Billing managers edit every payer rule through structured inputs;
the form turns them into the payer's rule columns and the services validate and save them.

Modules: `fields` (shared inputs and choices), `payer_form` (PayerForm), `columns` (form values
<-> payer columns), `summaries` (rules in plain words), `common` (form pages), `payer_pages`
and `facilities` (the views). `urlpatterns` is concatenated into `patients.urls`.
"""

from __future__ import annotations

from django.urls import path

from patients.views.payers.columns import payer_columns, payer_initial
from patients.views.payers.facilities import facility_create_view, facility_edit, facility_list
from patients.views.payers.payer_form import PayerForm
from patients.views.payers.payer_pages import (
    fee_rate_add,
    payer_create_view,
    payer_detail,
    payer_edit,
    payer_install_starter,
    payer_list,
)

__all__ = ["PayerForm", "payer_columns", "payer_initial", "urlpatterns"]

urlpatterns = [
    path("payers/", payer_list, name="payer_list"),
    path("payers/new/", payer_create_view, name="payer_create"),
    path("payers/install-starter/", payer_install_starter, name="payer_install_starter"),
    path("payers/<uuid:public_id>/", payer_detail, name="payer_detail"),
    path("payers/<uuid:public_id>/edit/", payer_edit, name="payer_edit"),
    path("payers/<uuid:public_id>/rates/new/", fee_rate_add, name="fee_rate_add"),
    path("facilities/", facility_list, name="facility_list"),
    path("facilities/new/", facility_create_view, name="facility_create"),
    path("facilities/<uuid:public_id>/edit/", facility_edit, name="facility_edit"),
]
