"""One vocabulary of events and one entry point, `notify()`, for every message to a user.

`notify()` stores the in-app message at once (in the caller's transaction) and sends the email only
after that transaction commits, so a rolled-back change never tells anybody anything."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Event(models.TextChoices):
    ACCOUNT_CREATED = "account_created", _("Tài khoản được tạo")
    PASSWORD_RESET_BY_STAFF = "password_reset_by_staff", _("Mật khẩu được đặt lại")
    APPLICANT_REGISTERED = "applicant_registered", _("Cơ sở đăng ký mới")
    APPLICANT_VERIFIED = "applicant_verified", _("Hồ sơ cơ sở được xác minh")
    APPLICANT_REJECTED = "applicant_rejected", _("Hồ sơ cơ sở bị từ chối")
    APPLICANT_CHANGES_REQUESTED = "applicant_changes_requested", _("Hồ sơ cơ sở cần bổ sung")
    APPLICANT_MEMBER_ADDED = "applicant_member_added", _("Được thêm làm thành viên của cơ sở")
    REQUEST_SUBMITTED = "request_submitted", _("Đề nghị hỗ trợ được gửi")
    REQUEST_ACCEPTED = "request_accepted", _("Đề nghị hỗ trợ được chấp nhận")
    REQUEST_DECLINED = "request_declined", _("Đề nghị hỗ trợ không được chấp nhận")
    REQUEST_RETURNED = "request_returned", _("Đề nghị hỗ trợ cần bổ sung")
    PROJECT_TRANSITION = "project_transition", _("Đề án chuyển bước")
    PROJECT_DOCUMENT_REQUESTED = "project_document_requested", _("Đề án cần bổ sung tài liệu")
    PROJECT_ADJUSTED = "project_adjusted", _("Đề án được điều chỉnh")
    REPORT_REMINDER = "report_reminder", _("Nhắc hạn báo cáo")
    REPORT_READY = "report_ready", _("Báo cáo đã được tạo")
    TEST = "test", _("Thử nghiệm")


def notify(*, recipients, event, title, body="", url="", email=True):
    """Tell `recipients` (users) about `event`. Returns the stored notifications.

    The in-app rows are written now; emails go out after the current transaction commits, only to
    recipients who have an email address and are active."""
    from .models import Notification

    users = [u for u in dict.fromkeys(recipients) if u is not None and u.is_active]
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, event=event, title=str(title), body=str(body), url=url) for u in users]
    )
    if email:
        addresses = [u.email for u in users if u.email]
        if addresses:
            link = f"\n\n{settings.SITE_URL}{url}" if url else ""
            subject, message = str(title), f"{body}{link}"

            def send():
                # The change is committed and the in-app message stored: a mail server that is
                # down must not turn the user's saved action into an error page, nor stop the
                # other recipients' mail. The log names the event, never an address.
                failed = 0
                for address in addresses:
                    try:
                        send_mail(subject, message, None, [address], fail_silently=False)
                    except (smtplib.SMTPException, OSError):
                        failed += 1
                if failed:
                    logger.warning(
                        "notify: %s of %s emails for event %s not sent", failed, len(addresses), event
                    )

            transaction.on_commit(send)
    return rows
