import logging
import sqlite3

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

from core.http import resubmission

logger = logging.getLogger(__name__)


class CookieLocaleMiddleware:
    """Vietnamese unless the user chose another language (the language cookie). The browser's
    Accept-Language is ignored: a staff member whose browser asks for English still works in the
    province's language, with its dates and money formats."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """The browser features the portal never uses (camera, microphone, location…) are switched
    off for it and for anything it might embed: settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response


class PrivateCacheMiddleware:
    """Pages and downloads with personal data are kept by no cache, shared or in the browser.
    The rule: every response to a signed-in user, and every answer to a POST (the public status
    lookup answers one with a request's steps), gets `Cache-Control: private, no-store`, unless the
    view chose its own Cache-Control. Anonymous GET pages (home, sign-in, static) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = request.method == "POST" or (user is not None and user.is_authenticated)
        if personal and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


def _is_busy(exc):
    """A lock not obtained within lock_timeout, a statement past statement_timeout (PostgreSQL), or
    SQLite still locked after its busy timeout: the database is busy, not the portal broken."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    try:
        from psycopg import errors
    except ImportError:  # pragma: no cover - psycopg is a dependency
        errors = None
    if errors is not None and isinstance(cause, errors.LockNotAvailable | errors.QueryCanceled):
        return True
    return isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause)


class DatabaseBusyMiddleware:
    """A POST that failed on any other database error answers 500 with the same form to send it
    again (templates/500_post.html): the write was rolled back, what was typed is not lost.

    A request that waited too long for a row lock answers 503 "busy, try again" (with
    Retry-After) instead of a 500: the step did not happen and is safe to repeat. The page is
    rendered without the request's context: the database that just failed is not asked again.
    Nothing typed is lost: after a POST the page holds the fields in a form that "Thử lại" sends
    again to the same address (core.http.resubmission), with a fresh CSRF token; passwords and
    chosen files are asked again, never copied into the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _is_busy(exception):
            logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
            response = self._again(request, "503.html", status=503)
            response["Retry-After"] = "5"
            return response
        if isinstance(exception, DatabaseError) and request.method == "POST":
            # Any other failed write (disk full, connection lost midway): the service's transaction
            # rolled back, so nothing was saved; the error is logged as Django would, and the page
            # offers back what was typed instead of the bare 500 that would lose it.
            logger.error("Database error on %s %s", request.method, request.path, exc_info=exception)
            return self._again(request, "500_post.html", status=500)
        return None

    @staticmethod
    def _again(request, template, *, status):
        context = {"again": resubmission(request), "csrf_token": get_token(request)}
        response = HttpResponse(render_to_string(template, context), status=status)
        response["Cache-Control"] = "private, no-store"
        return response
