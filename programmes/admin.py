"""Django admin (superusers only) for the programme's frame. Reference lists that change with
the law or the territory (communes, activities, support rules, collaborators, unit-report
indicators) import and export as XLSX (default) or CSV: preview, then confirm; all or nothing.
Support rules keep their history (who changed what, when)."""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActivityType,
    ActivityVariant,
    AdministrativeUnit,
    ApprovalRules,
    BeneficiaryCategory,
    Collaborator,
    ContentArea,
    DecisionIssuer,
    FundingSource,
    Indicator,
    PlanCalendar,
    Programme,
    ReportingUnit,
    SelectionRound,
    SupportRule,
    Target,
)
from .resources import (
    FORMATS,
    ActivityTypeResource,
    AdministrativeUnitResource,
    CollaboratorResource,
    IndicatorResource,
    SupportRuleResource,
)

FORMAT_LABELS = {"xlsx": _("Excel (.xlsx)"), "csv": _("CSV UTF-8 (.csv)")}


def _formats_in_vietnamese(form):
    """The library lists formats as "---", "xlsx", "csv" with nothing chosen: ours name the file
    types and start on the first format, XLSX (the default the issue promised)."""
    field = form.fields["format"]
    field.choices = [(key, FORMAT_LABELS.get(str(label), label)) for key, label in field.choices if key != ""]
    field.initial = field.choices[0][0]


class PortalImportForm(ImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _formats_in_vietnamese(self)


class PortalExportForm(SelectableFieldsExportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _formats_in_vietnamese(self)

    def _get_field_label(self, resource, field_name):
        """ "Xã, phường (commune)" rather than "Commune": the model's Vietnamese name of the field,
        then the column the file uses."""
        field = resource.fields.get(field_name)
        column = field.column_name if field else field_name
        attribute = (field.attribute if field else None) or field_name
        try:
            name = resource._meta.model._meta.get_field(attribute).verbose_name
        except FieldDoesNotExist:
            return column
        return f"{capfirst(name)} ({column})"


def _result_errors(result, limit=10):
    """The errors of an import result as "Dòng n: …" lines (numbered as the preview numbers them)."""
    lines = []
    for number, errors in result.row_errors():
        lines += [_("Dòng %(row)s: %(error)s") % {"row": number, "error": e.error} for e in errors]
    for row in result.invalid_rows:
        lines += [_("Dòng %(row)s: %(error)s") % {"row": row.number, "error": m} for m in row.error.messages]
    lines += [str(e.error) for e in result.base_errors]
    return lines[:limit]


class PortalImportExportAdmin(ImportExportModelAdmin):
    formats = FORMATS
    import_form_class = PortalImportForm
    export_form_class = PortalExportForm

    def process_result(self, result, request):
        """The confirm step re-reads the file: when the data changed since the preview and a row
        now fails, nothing was written (all or nothing), so say that instead of the library's
        "Import finished", log nothing, and go back to the import page."""
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _(
                    "Không dòng nào được ghi: dữ liệu đã thay đổi từ lúc xem trước. %(errors)s Hãy tải tệp lên lại."
                )
                % {"errors": " ".join(_result_errors(result))},
            )
            app_label, model_name = self.get_model_info()
            url = reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "decision_number", "decision_date", "start_year", "end_year", "is_current"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "target_value", "unit", "measure", "programme"]
    list_filter = ["programme"]


@admin.register(ContentArea)
class ContentAreaAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "programme"]
    list_filter = ["programme"]


class VariantInline(admin.TabularInline):
    model = ActivityVariant
    extra = 0


@admin.register(ActivityType)
class ActivityTypeAdmin(PortalImportExportAdmin):
    resource_classes = [ActivityTypeResource]
    list_display = ["code", "short_label", "content_area", "is_active"]
    list_filter = ["programme", "content_area", "is_active"]
    search_fields = ["code", "short_label"]
    inlines = [VariantInline]


@admin.register(ActivityVariant)
class ActivityVariantAdmin(admin.ModelAdmin):
    list_display = ["activity", "key", "label"]
    list_filter = ["activity__programme"]


@admin.register(BeneficiaryCategory)
class BeneficiaryCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "direct_support"]


@admin.register(SelectionRound)
class SelectionRoundAdmin(admin.ModelAdmin):
    list_display = ["year", "level", "recognition_decision", "recognition_date", "products_recognised"]
    list_filter = ["level", "year"]
    search_fields = ["recognition_decision", "note"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "name", "is_state_support", "can_lead"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(PortalImportExportAdmin):
    resource_classes = [AdministrativeUnitResource]
    list_display = ["code", "full_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "search_text"]


@admin.register(SupportRule)
class SupportRuleAdmin(SimpleHistoryAdmin, PortalImportExportAdmin):
    """ "Lịch sử" lists every change of a rule with who made it (django-simple-history)."""

    resource_classes = [SupportRuleResource]
    list_display = [
        "code",
        "activity",
        "variant",
        "funding_source",
        "kind",
        "max_percent",
        "cap_vnd",
        "status",
    ]
    list_filter = ["status", "kind", "funding_source"]
    search_fields = ["code", "label", "legal_basis"]
    list_select_related = ["activity", "variant", "funding_source"]
    # empty: the whole province; a former province's resolution names its communes
    filter_horizontal = ["communes"]


@admin.register(DecisionIssuer)
class DecisionIssuerAdmin(SimpleHistoryAdmin):
    list_display = ["funding_source", "issuer", "legal_basis"]
    list_filter = ["funding_source"]


@admin.register(ApprovalRules)
class ApprovalRulesAdmin(SimpleHistoryAdmin):
    """One row (ApprovalRules.current): it is added once, then edited, never deleted."""

    list_display = ["__str__", "appraiser_not_preparer"]

    def has_add_permission(self, request):
        return not ApprovalRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanCalendar)
class PlanCalendarAdmin(SimpleHistoryAdmin):
    """One row (PlanCalendar.current): the KCQG deadlines and the days staff are reminded before."""

    list_display = ["__str__", "kcqg_reminder_offsets"]

    def has_add_permission(self, request):
        return not PlanCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Collaborator)
class CollaboratorAdmin(PortalImportExportAdmin):
    resource_classes = [CollaboratorResource]
    list_display = ["full_name", "commune", "phone", "appointed_on", "ended_on"]
    search_fields = ["full_name", "commune__search_text"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]


@admin.register(ReportingUnit)
class ReportingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]


@admin.register(Indicator)
class IndicatorAdmin(PortalImportExportAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["order", "code", "label", "unit", "prefill", "is_active"]
    list_display_links = ["code"]
    list_filter = ["prefill", "is_active", "content_area"]
    search_fields = ["code", "label"]
