from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_claim, name="next"),
    path("build/", views.build, name="build"),
    path("submit/", views.submit_selected, name="submit_selected"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<uuid:public_id>/delete/", views.filter_delete, name="filter_delete"),
    path("<uuid:public_id>/", views.claim_detail, name="claim_detail"),
    *(
        path(
            f"<uuid:public_id>/{action}/",
            views.claim_action,
            {"action": action},
            name=f"claim_{action}",
        )
        for action in views.FORMS
    ),
]
