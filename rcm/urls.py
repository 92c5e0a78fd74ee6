from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from rcm import views
from rcm.api.urls import api_patterns

org_patterns = [
    path("", views.home, name="home"),
    path("audit/access/", views.access_log, name="access_log"),
    path("members/", views.members, name="members"),
    path("settings/", views.org_settings, name="org_settings"),
    path("jobs/", views.jobs_page, name="jobs"),
    path("members/<uuid:public_id>/part2/", views.member_part2_access, name="member_part2"),
    path("payers/", include("payers.urls")),
    path("facilities/", include("facilities.urls")),
    path("patients/", include("patients.urls")),
    path("credentialing/", include("credentialing.urls")),
    path("authorizations/", include("authorizations.urls")),
    path("consent/", include("consent.urls")),
    path("claims/", include("claims.urls")),
    path("denials/", include("denials.urls")),
    path("reports/", include("denials.report_urls")),
    path("notifications/", include("notifications.urls")),
]

urlpatterns = [
    path("", views.root, name="root"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="rcm/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", views.org_choose, name="org_choose"),
    path("reports/", include("denials.report_urls_cross")),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/o/<slug:org_slug>/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
