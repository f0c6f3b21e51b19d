"""Django admin for sites and their members."""

from django.contrib import admin

from sites.models import Membership, Site


class MembershipInline(admin.TabularInline):
    """The users a site is shared with."""

    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Sites and their members."""

    list_display = ["domain", "name", "owner", "public", "created_at"]
    search_fields = ["domain", "name", "owner__email"]
    list_filter = ["public"]
    raw_id_fields = ["owner"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who a site is shared with, and as what."""

    list_display = ["site", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["site__domain", "user__email"]
    raw_id_fields = ["site", "user"]
