"""Validators shared by every app (the lowest layer: no model imports)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_CHARS = re.compile(r"[\s.\-()]")
# Mobile: 10 digits from 03, 05, 07, 08, 09; landline: 02 + area code, 11 digits (since 2017).
_PHONE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")


def normalize_phone(value):
    """'+84 912.345.678' → '0912345678'. Returns '' for empty input, the input stripped if unparseable."""
    if not value:
        return ""
    digits = _PHONE_CHARS.sub("", str(value).strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_phone(value):
    if not _PHONE.match(normalize_phone(value)):
        raise ValidationError(
            _(
                "Số điện thoại không hợp lệ: nhập 10 số của di động (ví dụ 0912 345 678) hoặc 11 số của máy bàn."
            ),
            code="invalid_phone",
        )


def looks_like_phone(value):
    return bool(_PHONE.match(normalize_phone(value)))
