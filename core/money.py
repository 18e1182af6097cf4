"""Money in whole đồng, written and read the Vietnamese way whatever the user's language:
1234567 ↔ "1.234.567 đ". The one formatter and the one parser of the portal (templates, messages,
forms, spreadsheets and PDFs call these)."""

import math
import re
from decimal import Decimal

_NOISE = re.compile(r"đồng|dong|[\s.,đĐ]", re.IGNORECASE)


def group(value: int) -> str:
    """1234567 → '1.234.567' (dots every three digits, as Vietnamese writes money)."""
    return f"{int(value):,}".replace(",", ".")


def format_vnd(value) -> str:
    """Whole đồng with the unit: 1234567 → '1.234.567 đ'; nothing → '—'."""
    if value is None or value == "":
        return "—"
    return f"{group(value)} đ"


def _millions_shown(value) -> Decimal:
    """Đồng in triệu đồng to the three decimals the reports show."""
    return (Decimal(int(value)) / 1_000_000).quantize(Decimal("0.001"))


def format_trieu(value) -> str:
    """Đồng in triệu đồng, as yearly reports write them: 1250000000 → '1.250', 1500000 → '1,5'."""
    if value is None or value == "":
        return "—"
    millions = _millions_shown(value).normalize()
    whole, _, fraction = f"{millions:f}".partition(".")
    text = group(int(whole)) if whole not in ("", "-0") else "0"
    if whole.startswith("-") and text[0] != "-":
        text = "-" + text
    return f"{text},{fraction}" if fraction else text


def trieu_as_shown(value: int) -> int:
    """The đồng that `format_trieu(value)` stands for: it shows a triệu đồng to three decimals, so
    469.200.400 đồng reads '469,2' and stands for 469.200.000."""
    return int(_millions_shown(value) * 1_000_000)


def parse_vnd(value) -> int | None:
    """'1.500.000', '1 500 000 đ', '600000000 đồng' → int; '' or None → None. Raises ValueError on
    anything that is not a whole number once the separators and unit are removed."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float | Decimal):
        # A numeric spreadsheet cell: 1500000.0 is 1500000 đồng; 1.5 is not a whole number of
        # đồng (reading its text would drop the point and give 15).
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or value != int(value):
            raise ValueError(value)
        return int(value)
    text = _NOISE.sub("", str(value))
    if not text:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(value)
    return int(text)
