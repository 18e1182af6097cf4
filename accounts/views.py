from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors
from core.http import client_ip

from . import forms, selectors, services
from .permissions import role_required
from .roles import Role

MANAGERS = (Role.STAFF, Role.LEADER)


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


# --- Passwords ---------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_allow(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Staff manage accounts ---------------------------------------------------------------------


@role_required(*MANAGERS)
def user_list(request):
    query = request.GET.get("q", "")
    page = selectors.user_list(actor=request.user, query=query, page_number=request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@never_cache
@require_POST
@role_required(*MANAGERS)
def user_reset_password(request, pk):
    account = selectors.user_get(actor=request.user, pk=pk)
    form = forms.TemporaryPasswordForm(request.POST)
    form.is_valid()
    try:
        password = services.user_set_temporary_password(
            actor=request.user, user=account, password=form.cleaned_data.get("temporary_password", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:user_edit", pk=account.pk)
    return render(
        request,
        "accounts/temporary_password.html",
        {"account": account, "password": password, "created": False},
    )


# --- Notifications -----------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one message as read, then follow its link when it has one (on this site only)."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    target = notification.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("accounts:notifications")


@require_POST
@login_required
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
    return redirect("accounts:notifications")
