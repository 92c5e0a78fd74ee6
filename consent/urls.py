from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("patients/<uuid:public_id>/new/", views.consent_create, name="consent_create"),
    path(
        "patients/<uuid:public_id>/disclosures/",
        views.disclosure_accounting,
        name="disclosure_accounting",
    ),
    path(
        "patients/<uuid:public_id>/disclosures/new/",
        views.disclosure_create,
        name="disclosure_create",
    ),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<uuid:public_id>/end/", views.agreement_end, name="agreement_end"),
    path("<uuid:public_id>/", views.consent_detail, name="consent_detail"),
    path("<uuid:public_id>/revoke/", views.consent_revoke_view, name="consent_revoke"),
]
