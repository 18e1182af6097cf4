"""A user whose password is temporary (set by staff) must change it before doing anything else."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            static_prefixes = ("/static/", "/media/")
            if request.path not in allowed and not request.path.startswith(static_prefixes):
                if request.method == "GET":
                    messages.warning(
                        request, _("Bạn đang dùng mật khẩu tạm. Vui lòng đổi mật khẩu để tiếp tục.")
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)
