from django.urls import path

from claims import eligibility_views as eligibility
from claims import tracker_views, views
from claims.chargemaster import views as chargemaster

app_name = "claims"

urlpatterns = [
    # Work queues and claims
    path("", views.queue, name="queue"),
    path("next/", views.next_claim, name="next"),
    path("build/", views.build, name="build"),
    path("submit/", views.submit_selected, name="submit_selected"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<uuid:public_id>/delete/", views.filter_delete, name="filter_delete"),
    path("<uuid:public_id>/", views.claim_detail, name="claim_detail"),
    path("<uuid:public_id>/837/", views.claim_837, name="claim_837"),
    *(
        path(
            f"<uuid:public_id>/{action}/",
            views.claim_action,
            {"action": action},
            name=f"claim_{action}",
        )
        for action in views.FORMS
    ),
    # Eligibility (270/271)
    path(
        "eligibility/coverage/<uuid:public_id>/",
        eligibility.eligibility_history,
        name="eligibility_history",
    ),
    path(
        "eligibility/coverage/<uuid:public_id>/check/",
        eligibility.eligibility_check,
        name="eligibility_check",
    ),
    path(
        "eligibility/checks/<uuid:public_id>/",
        eligibility.eligibility_card,
        name="eligibility_card",
    ),
    # Credentialing gaps and the revenue they hold
    path(
        "credentialing-tracker/",
        tracker_views.credentialing_tracker_page,
        name="credentialing_tracker",
    ),
    # The clearinghouse account
    path("clearinghouse/", views.clearinghouse, name="clearinghouse"),
    path("clearinghouse/test/", views.clearinghouse_test, name="clearinghouse_test"),
    # Chargemaster
    path("chargemaster/", chargemaster.chargemaster_list, name="chargemaster_list"),
    path("chargemaster/new/", chargemaster.chargemaster_create, name="chargemaster_create"),
    path("chargemaster/import/", chargemaster.chargemaster_import, name="chargemaster_import"),
    path(
        "chargemaster/<uuid:public_id>/edit/",
        chargemaster.chargemaster_edit,
        name="chargemaster_edit",
    ),
    path(
        "chargemaster/<uuid:public_id>/end/",
        chargemaster.chargemaster_end,
        name="chargemaster_end",
    ),
]
