"""Account endpoints: registration, sessions, profile, password and API keys."""

import time
from http import HTTPStatus

import structlog
from django.contrib import admin
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiKey, User
from accounts.permissions import SignedIn
from accounts.serializers import (
    ApiKeySerializer,
    LoginSerializer,
    NewApiKeySerializer,
    PasswordChangeSerializer,
    RegisterSerializer,
    UserSerializer,
)
from accounts.throttles import (
    AccountThrottle,
    ClientThrottle,
    SignInAttempt,
    issue_device_cookie,
    throttled_response,
)

logger = structlog.get_logger(__name__)

# Session endpoints check CSRF even for anonymous callers, so that no other site can sign a
# visitor in to an account of its choosing. The SPA gets its token from csrf/.
csrf_protected = method_decorator(csrf_protect, name="dispatch")


@csrf_protected
class RegisterView(APIView):
    """Create an account and sign in to it."""

    permission_classes = [AllowAny]
    throttle_classes = [ClientThrottle, AccountThrottle]
    throttle_scope = "register"
    throttle_account = "email"

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        """Register with email, password and name; answer 201 with the user, signed in."""
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        logger.info("user_registered", user_id=user.pk)
        response = Response(UserSerializer(user).data, status=HTTPStatus.CREATED)
        issue_device_cookie(response, user=user)
        return response


@csrf_protected
class LoginView(APIView):
    """Start a session. The answer never redirects, whatever ``next`` says."""

    permission_classes = [AllowAny]
    throttle_classes = []  # SignInAttempt: the limits are the same for the admin's sign-in

    @extend_schema(request=LoginSerializer, responses={200: UserSerializer})
    def post(self, request: Request) -> Response:
        """Sign in with email and password; one message for every kind of failure."""
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = SignInAttempt(request, email=serializer.validated_data["email"], now=time.time())
        wait = attempt.wait()
        if wait is not None:
            raise Throttled(wait)
        user = authenticate(
            request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            attempt.failed()
            raise AuthenticationFailed("Invalid email or password.")
        login(request, user)
        logger.info("user_logged_in", user_id=user.pk)
        response = Response(UserSerializer(user).data)
        attempt.succeeded(response, user=user)
        return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """Sign in to the Django admin under the same limits as the API's login."""
    if request.method != "POST":
        return admin.site.login(request)
    attempt = SignInAttempt(request, email=request.POST.get("username", ""), now=time.time())
    wait = attempt.wait()
    if wait is not None:
        return throttled_response(request, wait=wait)
    response = admin.site.login(request)
    # The admin redirects once signed in and shows the form again otherwise.
    if response.status_code == HTTPStatus.FOUND:
        attempt.succeeded(response, user=request.user)
    else:
        attempt.failed()
    return response


@csrf_protected
class LogoutView(APIView):
    """End the session."""

    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        """Sign out; answer 204 whether or not a session existed."""
        logout(request)
        return Response(status=HTTPStatus.NO_CONTENT)


class CsrfView(APIView):
    """Hand an SPA its CSRF token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})
    )
    def get(self, request: Request) -> Response:
        """Set the CSRF cookie and return the token to send back in X-CSRFToken."""
        return Response({"csrf_token": get_token(request)})


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        """Return the signed-in user."""
        return self.request.user


class PasswordChangeView(APIView):
    """Change the signed-in user's password."""

    permission_classes = [SignedIn]
    throttle_classes = [ClientThrottle, AccountThrottle]
    throttle_scope = "password"
    throttle_account = "user"

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        """Set a new password given the current one; the session stays signed in."""
        serializer = PasswordChangeSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        request.user.set_password(serializer.validated_data["new_password"])
        request.user.save(update_fields=["password"])
        update_session_auth_hash(request, request.user)
        logger.info("password_changed", user_id=request.user.pk)
        return Response(status=HTTPStatus.NO_CONTENT)


class ApiKeyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's API keys: list, create (secret shown once), revoke."""

    permission_classes = [SignedIn]
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        """Return the user's own keys, newest first."""
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return ApiKey.objects.none()
        return ApiKey.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={201: NewApiKeySerializer})
    def create(self, request: Request) -> Response:
        """Create a named key; the response holds its secret, which is never shown again."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, secret = ApiKey.objects.create_key(
            user=request.user, name=serializer.validated_data["name"]
        )
        key.key = secret
        logger.info("api_key_created", user_id=request.user.pk, api_key_id=key.pk)
        return Response(NewApiKeySerializer(key).data, status=HTTPStatus.CREATED)

    def perform_destroy(self, instance: ApiKey) -> None:
        """Revoke the key."""
        logger.info("api_key_revoked", user_id=instance.user_id, api_key_id=instance.pk)
        instance.delete()
