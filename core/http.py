"""Small helpers about the HTTP request, shared by every app."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext_lazy as _


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


# What a resubmission never copies: the old CSRF token (a fresh one is issued) and passwords,
# which are asked again (a page must not carry them back to the browser).
_NOT_COPIED = {"csrfmiddlewaretoken"}
_PASSWORD_LABELS = {
    "password": _("Mật khẩu"),
    "password1": _("Mật khẩu"),
    "password2": _("Nhập lại mật khẩu"),
    "old_password": _("Mật khẩu hiện tại"),
    "new_password1": _("Mật khẩu mới"),
    "new_password2": _("Nhập lại mật khẩu mới"),
}


def _is_password(name):
    return "password" in name.lower()


@dataclass(frozen=True)
class Resubmission:
    """What a "try again" page needs to send a request again as it came: the same address and
    method, the typed fields (as hidden inputs), and the passwords and files to ask for again."""

    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    passwords: list[tuple[str, str]] = field(default_factory=list)  # (name, label)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, file name chosen)


def resubmission(request) -> Resubmission | None:
    """The request as a form to send again (POST), or the address to load again (GET); None for
    other methods, or when the body cannot be read."""
    action = escape_leading_slashes(request.get_full_path())
    if request.method in ("GET", "HEAD"):
        return Resubmission(method="get", action=action)
    if request.method != "POST":
        return None
    try:
        posted, uploaded = request.POST, request.FILES
    except (
        RequestDataTooBig,
        TooManyFieldsSent,
        TooManyFilesSent,
        MultiPartParserError,
        UnreadablePostError,
    ):
        return None
    fields, passwords = [], []
    for name, values in posted.lists():
        if name in _NOT_COPIED:
            continue
        if _is_password(name):
            passwords.append((name, _PASSWORD_LABELS.get(name, _("Mật khẩu"))))
            continue
        fields += [(name, value) for value in values]
    files = [(name, chosen.name) for name, chosen in uploaded.items()]
    return Resubmission(method="post", action=action, fields=fields, passwords=passwords, files=files)
