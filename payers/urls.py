from django.urls import path

from payers.views.payer_pages import (
    fee_rate_add,
    payer_create_view,
    payer_detail,
    payer_edit,
    payer_install_starter,
    payer_list,
)

app_name = "payers"

urlpatterns = [
    path("", payer_list, name="payer_list"),
    path("new/", payer_create_view, name="payer_create"),
    path("install-starter/", payer_install_starter, name="payer_install_starter"),
    path("<uuid:public_id>/", payer_detail, name="payer_detail"),
    path("<uuid:public_id>/edit/", payer_edit, name="payer_edit"),
    path("<uuid:public_id>/rates/new/", fee_rate_add, name="fee_rate_add"),
]
