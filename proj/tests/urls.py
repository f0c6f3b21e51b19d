"""Views that raise each kind of error, mounted next to the real URLs for the error tests."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

# The project's error handlers, which Django looks up in the root URLconf.
from proj.urls import handler400, handler403, handler404, handler500  # noqa: F401


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)

    def validate(self, attrs):
        if attrs["name"] == "nope":
            raise serializers.ValidationError("This name is refused.")
        return attrs


class EchoView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({})


class AlwaysThrottled(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 42


class ThrottledView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AlwaysThrottled]

    def get(self, request):
        return Response({})


class MissingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise Http404("No such thing.")


class ForbiddenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise PermissionDenied("Go away.")


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internals")


def remember_view(request):
    """Change the session without reading the database: SessionMiddleware saves it after."""
    request.session["remembered"] = True
    return HttpResponse("remembered")


urlpatterns = [
    path("test/echo/", EchoView.as_view()),
    path("test/private/", PrivateView.as_view()),
    path("test/throttled/", ThrottledView.as_view()),
    path("test/missing/", MissingView.as_view()),
    path("test/forbidden/", ForbiddenView.as_view()),
    path("test/crash/", CrashView.as_view()),
    path("test/remember/", remember_view),
    path("", include("proj.urls")),
]
