"""Small helpers about the HTTP request, shared by every app."""

from django.conf import settings


def client_ip(request):
    """The visitor's address. Behind `TRUSTED_PROXY_COUNT` reverse proxies REMOTE_ADDR is the
    nearest proxy, so take the address that proxy appended to X-Forwarded-For (entries further
    left are written by the client and cannot be trusted)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")
