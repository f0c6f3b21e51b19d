"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.views import admin_login
from proj.api.docs import DocsView
from proj.api.views import HealthView, IndexView, PingView

urlpatterns = [
    path("", IndexView.as_view(), name="index"),
    path("api/", IndexView.as_view(), name="api-index"),
    path("api/health/", HealthView.as_view(), name="health"),
    path("api/ping/", PingView.as_view(), name="ping"),
    path("api/accounts/", include("accounts.urls")),
    path("api/sites/", include("sites.urls")),
    path("", include("visits.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
    # Before the admin's own URLs, so that its sign-in is rate limited like the API's.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]

handler400 = "proj.api.errors.bad_request"
handler403 = "proj.api.errors.permission_denied"
handler404 = "proj.api.errors.not_found"
handler500 = "proj.api.errors.server_error"
