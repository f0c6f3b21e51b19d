"""Answer 405 to a method an API view does not handle, before the view does anything.

DRF authenticates, checks permissions (which may look the URL's objects up) and throttles
before it finds out that it has no handler for the method, so ``TRACE`` on a site's members
answered 404 for a site the caller cannot see, and 401 without credentials. Deciding on the
method first makes every URL answer an unsupported method alike.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.views import APIView


def allowed_methods(view_func: Callable) -> list[str] | None:
    """Return the methods a DRF view function handles, as its Allow header lists them.

    None for views that are not DRF's: they answer methods their own way.
    """
    view_class = getattr(view_func, "cls", None)
    if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
        return None
    names = view_func.initkwargs.get("http_method_names", view_class.http_method_names)
    actions = getattr(view_func, "actions", None)  # a viewset: the methods its route maps
    handled = set(actions) if actions is not None else {m for m in names if hasattr(view_class, m)}
    if "get" in handled:
        handled.add("head")  # Django and DRF answer HEAD with the GET handler
    handled.add("options")  # APIView.options, the metadata
    return [name.upper() for name in names if name in handled]


class MethodNotAllowedMiddleware:
    """Refuse a method the resolved API view does not handle, with 405 and an Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        """Answer 405 before the view authenticates or looks anything up; else let it run."""
        allowed = allowed_methods(view_func)
        if allowed is None or request.method in allowed:
            return None
        response = refuse_method(request, view_func, view_args, view_kwargs)
        response["Allow"] = ", ".join(allowed)
        return response


def refuse_method(
    request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
) -> HttpResponse:
    """Answer 405 as the view would, skipping APIView.initial() (credentials, permissions).

    The view's exception handler and finalize_response() still apply: the error shape, and
    headers a view adds to every answer (collect's CORS headers).
    """
    view = view_func.cls(**view_func.initkwargs)
    if hasattr(view_func, "actions"):
        view.action_map = view_func.actions  # as ViewSetMixin.as_view() binds it
    view.args, view.kwargs, view.format_kwarg = view_args, view_kwargs, None
    view.request = view.initialize_request(request, *view_args, **view_kwargs)
    view.headers = view.default_response_headers
    response = view.handle_exception(MethodNotAllowed(request.method))
    return view.finalize_response(view.request, response, *view_args, **view_kwargs)
