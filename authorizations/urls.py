from django.urls import path

from authorizations import ur_views, views

app_name = "authorizations"

urlpatterns = [
    path("", views.auth_list, name="auth_list"),
    path("new/", views.auth_create, name="auth_create"),
    path("ur/", ur_views.ur_queue, name="ur_queue"),
    path("ur/<uuid:public_id>/<slug:action>/", ur_views.ur_action, name="ur_action"),
    path("<uuid:public_id>/", views.auth_detail, name="auth_detail"),
    path("<uuid:public_id>/reviews/new/", views.review_add, name="review_add"),
]
