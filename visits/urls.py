"""URLs of the collect endpoints and the visits collection."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from visits import collect, views
from visits.stats import views as stats

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="visit")

urlpatterns = [
    path("api/event", collect.EventView.as_view(), name="event"),
    path("api/event.gif", collect.EventPixelView.as_view(), name="event-pixel"),
    path("js/script.js", collect.tracker, name="tracker"),
    path("api/v2/query", stats.QueryView.as_view(), name="stats-query"),
    path(
        "api/v1/stats/realtime/visitors",
        stats.RealtimeVisitorsView.as_view(),
        name="stats-realtime-visitors",
    ),
    path("api/", include(router.urls)),
]
