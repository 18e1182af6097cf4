"""Tax codes (mã số thuế) and personal identification numbers.

- A 10-digit MST carries a check digit: weights 31, 29, 23, 19, 17, 13, 7, 5, 3 on the first nine
  digits, check = 10 - (sum mod 11), invalid when that gives 10 (Thông tư 105/2020/TT-BTC keeps the
  structure of the 10-digit code).
- A branch or dependent unit has the 10 digits of its parent, "-" and three digits 001-999.
- Since 1/7/2025 household businesses and individuals use their 12-digit personal identification
  number as their tax code (Luật Quản lý thuế 2019 as applied by Thông tư 86/2024/TT-BTC Điều 5)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SEPARATORS = re.compile(r"[\s.]")
_TEN = re.compile(r"^\d{10}$")
_BRANCH = re.compile(r"^(\d{10})-(\d{3})$")
_TWELVE = re.compile(r"^\d{12}$")


def normalize_tax_code(value):
    """Spaces and dots dropped, a branch written with "_" or "–" gets "-"."""
    if not value:
        return ""
    value = _SEPARATORS.sub("", str(value).strip()).replace("_", "-").replace("–", "-")
    return value


def mst_check_digit(first_nine):
    """The check digit of a 10-digit tax code, or None when the nine digits cannot have one."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def is_personal_id(value):
    return bool(_TWELVE.match(normalize_tax_code(value)))


def validate_tax_code(value, *, allow_personal_id=False):
    """Raise ValidationError unless `value` is a valid 10-digit MST, a branch MST, or (when
    `allow_personal_id`) a 12-digit personal identification number."""
    code = normalize_tax_code(value)
    if allow_personal_id and _TWELVE.match(code):
        return
    branch = _BRANCH.match(code)
    if branch:
        if branch.group(2) == "000":
            raise ValidationError(
                _("Mã số thuế đơn vị phụ thuộc có 3 số cuối từ 001 đến 999."), code="invalid_tax_code"
            )
        code = branch.group(1)
    if not _TEN.match(code):
        if allow_personal_id:
            message = _(
                "Mã số thuế gồm 10 chữ số (hoặc 10 chữ số, dấu “-” và 3 chữ số với đơn vị phụ thuộc); "
                "hộ kinh doanh, cá nhân dùng số định danh cá nhân 12 chữ số."
            )
        else:
            message = _(
                "Mã số thuế gồm 10 chữ số (hoặc 10 chữ số, dấu “-” và 3 chữ số với đơn vị phụ thuộc)."
            )
        raise ValidationError(message, code="invalid_tax_code")
    if mst_check_digit(code[:9]) != int(code[9]):
        raise ValidationError(
            _("Mã số thuế không đúng (chữ số kiểm tra không khớp). Vui lòng kiểm tra lại từng chữ số."),
            code="invalid_tax_code_checksum",
        )
