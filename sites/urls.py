"""URLs under /api/sites/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from sites import views

router = SimpleRouter()
router.register("", views.SiteViewSet, basename="site")

members = views.MemberViewSet.as_view({"get": "list", "post": "create"})
member = views.MemberViewSet.as_view({"patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path("<int:site_pk>/members/", members, name="site-members"),
    path("<int:site_pk>/members/<int:user_id>/", member, name="site-member"),
    *router.urls,
]
