"""Serializers for users, sign-in and API keys."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import serializers

from accounts.models import ApiKey, User
from proj.api.serializers import StrictModelSerializer, StrictSerializer


def check_password_strength(password: str, *, user: User) -> None:
    """Run Django's password validators, raising their messages as a DRF ValidationError."""
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as error:
        raise serializers.ValidationError(list(error.messages)) from error


class UserSerializer(StrictModelSerializer):
    """A user as the user sees themselves; only the name is editable."""

    class Meta:
        model = User
        fields = ["id", "email", "name", "created_at"]
        read_only_fields = ["id", "email", "created_at"]


class LoginSerializer(StrictSerializer):
    """Sign in with email and password."""

    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)


class RegisterSerializer(LoginSerializer):
    """Sign up with an email, a password and an optional name."""

    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    def validate_email(self, value: str) -> str:
        """Refuse an email already registered, whatever its case."""
        email = User.objects.normalize_email(value)
        if User.objects.with_email(email).exists():
            raise serializers.ValidationError("A user with this email already exists.")
        return email

    def validate(self, attrs: dict) -> dict:
        """Check the password with Django's validators, against the user it would belong to."""
        candidate = User(email=attrs["email"], name=attrs["name"])
        try:
            check_password_strength(attrs["password"], user=candidate)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"password": error.detail}) from error
        return attrs

    def create(self, validated_data: dict) -> User:
        """Create the user; a concurrent registration of the same email loses cleanly."""
        try:
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError as error:
            raise serializers.ValidationError(
                {"email": ["A user with this email already exists."]}
            ) from error


class PasswordChangeSerializer(StrictSerializer):
    """Change the password, given the current one."""

    current_password = serializers.CharField(write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)

    def validate_current_password(self, value: str) -> str:
        """Refuse a wrong current password."""
        if not self.context["user"].check_password(value):
            raise serializers.ValidationError("The current password is not correct.")
        return value

    def validate_new_password(self, value: str) -> str:
        """Check the new password with Django's validators."""
        check_password_strength(value, user=self.context["user"])
        return value


class ApiKeySerializer(StrictModelSerializer):
    """An API key as listed: never its secret."""

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at"]


class NewApiKeySerializer(ApiKeySerializer):
    """A key just created, with its secret, shown this once."""

    key = serializers.CharField(read_only=True, help_text="The secret; shown only once.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
