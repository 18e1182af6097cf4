"""Import and export of the programme's reference data (django-import-export).

Rows are keyed by natural keys (commune code, activity code, rule code), never database ids.
Foreign keys are looked up by code; a code that does not exist is a Vietnamese row error. An import
is all or nothing: one bad row rolls the whole file back. Exports are XLSX by default or CSV in
UTF-8 with a BOM (so Excel shows diacritics), and a text cell that a spreadsheet would read as a
formula (= + - @) is written with a leading apostrophe (CSV injection, OWASP). A file in a legacy
Vietnamese encoding (TCVN3, VNI) is refused with a message that names the encoding."""

import tablib
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from core.spreadsheets import check_csv_size, check_legacy_encoding, neutralise, read_xlsx_values
from core.text import nfc

from .models import (
    ActivityType,
    ActivityVariant,
    AdministrativeUnit,
    Collaborator,
    ContentArea,
    FundingSource,
    Indicator,
    Programme,
    SupportRule,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unescape_formula(value):
    """The inverse on import, so an exported file imports back unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _escaped(dataset):
    """'=1+1' → "'=1+1": a spreadsheet shows the text and never runs it (the shared rule of
    `core.spreadsheets.neutralise`, which also drops characters XLSX cannot hold)."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([neutralise(cell) for cell in row])
    return safe


class XLSX(base_formats.XLSX):
    """XLSX with formulas neutralised (stronger than the library's own escape, which only
    drops a leading "=")."""

    def export_data(self, dataset, **kwargs):
        return _escaped(dataset).export("xlsx", **kwargs)

    def create_dataset(self, in_stream):
        """Read with the portal's limits (size, the header's columns, rows read): the library's
        reader builds every cell of the dimension a sheet declares (a 5 KB "dimension bomb")."""
        header, *rows = read_xlsx_values(in_stream) or [[]]
        return tablib.Dataset(*rows, headers=header)


class CSV(base_formats.CSV):
    """CSV in UTF-8 with a BOM, formulas neutralised. Imports accept the BOM too."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + _escaped(dataset).export("csv", **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        check_csv_size(in_stream)  # the portal's size and row limits, before tablib builds it all
        return super().create_dataset(in_stream, **kwargs)


# The admin offers these, XLSX first (the default).
FORMATS = [XLSX, CSV]


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its code; a missing code is a clear Vietnamese row error."""

    def __init__(self, model, field="code", label="", **kwargs):
        self.label = label
        super().__init__(model, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = nfc(str(value)).strip() if value not in (None, "") else value
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("Không tìm thấy %(label)s có mã “%(value)s”.") % {"label": self.label, "value": value}
            ) from None


class CommuneWidget(CodeWidget):
    def clean(self, value, row=None, **kwargs):
        if value not in (None, "") and str(value).strip().isdigit():
            value = str(value).strip().zfill(5)  # Excel drops leading zeros: 1953 is 01953
        return super().clean(value, row, **kwargs)


class CurrentActivityWidget(CodeWidget):
    """Activity codes (2b…) repeat across programmes: a rule names one of the current programme."""

    def get_queryset(self, value, row, *args, **kwargs):
        return ActivityType.objects.filter(programme__is_current=True)


class VariantWidget(CodeWidget):
    """A variant key is unique within its activity: look it up under the row's activity."""

    def get_queryset(self, value, row, *args, **kwargs):
        return ActivityVariant.objects.filter(
            activity__code=(row or {}).get("activity"), activity__programme__is_current=True
        )


class ContentAreaWidget(CodeWidget):
    """A content area by its number (1-6) within the row's programme."""

    def get_queryset(self, value, row, *args, **kwargs):
        return ContentArea.objects.filter(programme__code=(row or {}).get("programme"))

    def render(self, value, obj=None, **kwargs):
        return value.number if value is not None else ""


class DayFirstDateWidget(widgets.DateWidget):
    """Dates as Vietnamese write them: 09/03/2026 is 9 March. The library's default reads
    Django's global DATE_INPUT_FORMATS, where 09/03/2026 is 3 September and 15/01/2026 is no
    date at all; ours are those of the portal's format module (dd/mm/yyyy first, ISO accepted).
    Exports write dd/mm/yyyy, which imports back."""

    def __init__(self, format=None, coerce_to_string=True):
        super().__init__(format=format, coerce_to_string=coerce_to_string)
        if format is None:
            self.formats = tuple(get_format("DATE_INPUT_FORMATS", lang="vi"))

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("Ngày “%(value)s” không hợp lệ: hãy ghi theo dạng ngày/tháng/năm, ví dụ 15/01/2026.")
                % {"value": value}
            ) from None


class PortalResource(resources.ModelResource):
    """All or nothing, model validation on every row, text normalised to NFC on the way in,
    dates day first."""

    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "DateField": DayFirstDateWidget}

    class Meta:
        abstract = True

    def import_data(self, dataset, *args, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        # Numbers are read with the active language's separators: in Vietnamese "500.000" is five
        # hundred thousand, in English five hundred. Files are Vietnamese whatever the admin's language.
        with translation.override("vi"):
            return super().import_data(dataset, *args, **kwargs)

    def export(self, *args, **kwargs):
        """Numbers written 1.234.567 and dates dd/mm/yyyy, as imports read them."""
        with translation.override("vi"):
            return super().export(*args, **kwargs)

    def before_import(self, dataset, **kwargs):
        """A file typed in TCVN3 or VNI is refused whole, with a message naming the encoding."""
        text = " ".join(str(cell) for row in dataset for cell in row if isinstance(cell, str))
        check_legacy_encoding(" ".join(str(h) for h in dataset.headers or []) + " " + text)
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
        for key, value in list(row.items()):
            if isinstance(value, str):
                row[key] = unescape_formula(nfc(value).strip())
            elif value is None:
                field = model_fields.get(key)
                # An empty spreadsheet cell is None; a text column without NULL wants "".
                if isinstance(field, models.CharField | models.TextField) and not field.null:
                    row[key] = ""
        super().before_import_row(row, **kwargs)


class AdministrativeUnitResource(PortalResource):
    KINDS = {"xã": "xa", "xa": "xa", "phường": "phuong", "phuong": "phuong"}

    class Meta:
        model = AdministrativeUnit
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "kind",
            "full_name",
            "is_active",
            "national_order",
            "former_province",
            "former_districts",
            "merged_from",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        code = row.get("code")
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if code not in (None, "") and str(code).strip().isdigit():
            row["code"] = str(code).strip().zfill(5)
        kind = row.get("kind")
        if isinstance(kind, str):
            row["kind"] = self.KINDS.get(kind.lower(), kind)


class ActivityTypeResource(PortalResource):
    programme = fields.Field(
        attribute="programme",
        column_name="programme",
        widget=CodeWidget(Programme, label=gettext_lazy("chương trình")),
    )
    content_area = fields.Field(
        attribute="content_area",
        column_name="content_area",
        widget=ContentAreaWidget(ContentArea, field="number", label=gettext_lazy("nội dung chương trình")),
    )

    class Meta:
        model = ActivityType
        import_id_fields = ["programme", "code"]
        fields = [
            "programme",
            "code",
            "content_area",
            "letter",
            "short_label",
            "description",
            "source_section",
            "target_note",
            "sort_order",
            "is_active",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class SupportRuleResource(PortalResource):
    activity = fields.Field(
        attribute="activity",
        column_name="activity",
        widget=CurrentActivityWidget(ActivityType, label=gettext_lazy("hoạt động khuyến công")),
    )
    variant = fields.Field(
        attribute="variant",
        column_name="variant",
        widget=VariantWidget(ActivityVariant, field="key", label=gettext_lazy("trường hợp của hoạt động")),
    )
    funding_source = fields.Field(
        attribute="funding_source",
        column_name="funding_source",
        widget=CodeWidget(FundingSource, label=gettext_lazy("nguồn kinh phí")),
    )

    class Meta:
        model = SupportRule
        import_id_fields = ["code"]
        fields = [
            "code",
            "activity",
            "variant",
            "applies_to_all",
            "case_description",
            "funding_source",
            "kind",
            "max_percent",
            "cap_vnd",
            "multiplier",
            "cap_unit",
            "legal_basis",
            "valid_from",
            "valid_to",
            "status",
            "to_verify",
            "label",
            "note",
            "source_url",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class CollaboratorResource(PortalResource):
    commune = fields.Field(
        attribute="commune",
        column_name="commune",
        widget=CommuneWidget(AdministrativeUnit, label=gettext_lazy("xã, phường")),
    )
    commune_name = fields.Field(attribute="commune__full_name", column_name="commune_name", readonly=True)

    class Meta:
        model = Collaborator
        import_id_fields = ["commune", "full_name"]
        fields = [
            "commune",
            "commune_name",
            "full_name",
            "position",
            "phone",
            "email",
            "appointment_decision",
            "appointed_on",
            "ended_on",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("commune")


class IndicatorResource(PortalResource):
    class Meta:
        model = Indicator
        import_id_fields = ["code"]
        fields = ["code", "label", "unit", "content_area", "order", "prefill", "is_active", "notes"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
