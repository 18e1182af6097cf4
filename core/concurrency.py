"""Optimistic locking: a form carries the row's `version`; saving a stale form is refused."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .audit import record_history

STALE_MESSAGE = _(
    "Dữ liệu này vừa được người khác cập nhật sau khi bạn mở trang. Vui lòng tải lại trang, "
    "kiểm tra thay đổi của họ rồi nhập lại."
)


def save_versioned(instance, *, expected_version, fields, user=None, reason=""):
    """UPDATE … WHERE pk = … AND version = expected_version, bumping the version. Raises a
    ValidationError (code "stale") when another save got there first; nothing is written then.
    The audit trail's row (core.audit) is written too, which an UPDATE alone would skip: by `user`
    (else the signed-in user of the request) for `reason`."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        raise ValidationError(STALE_MESSAGE, code="stale")
    instance.version = int(expected_version) + 1
    record_history(instance, user=user, reason=reason)
    return instance
