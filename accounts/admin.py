"""Django admin for users and API keys."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import ApiKey, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users, by email."""

    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "created_at"]
    search_fields = ["email", "name"]
    readonly_fields = ["created_at", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["created_at", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys: visible by prefix, never by secret; revoke by deleting."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["user", "prefix", "hashed", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        """Keys are created through the API, which shows the secret once."""
        return False
