from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AdvanceCondition,
    BudgetLine,
    BudgetVersion,
    Project,
    ProjectRules,
    ProjectTransition,
    RequiredDocument,
)


class ReadOnly:
    """Rows whose writes carry rules (ceilings, the frozen budget, optimistic locking, history) are
    written by projects.services only; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("code", "title", "year", "activity", "lead_fund", "status", "total_cost", "state_support")
    list_filter = ("year", "status", "activity", "lead_fund")
    search_fields = ("code", "title", "search_text")
    list_select_related = ("activity", "lead_fund")
    raw_id_fields = ("beneficiaries", "communes", "support_request")
    show_full_result_count = True


class BudgetLineInline(ReadOnly, admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(BudgetVersion)
class BudgetVersionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("project", "number", "total_cost", "decision_number", "decision_date")
    inlines = [BudgetLineInline]
    raw_id_fields = ("project",)


@admin.register(ProjectTransition)
class ProjectTransitionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("project", "step", "from_status", "to_status", "actor", "at")
    list_filter = ("step", "to_status")
    raw_id_fields = ("project", "document", "budget")


# The rule tables staff edit keep their history (who changed what, when): "Lịch sử" on each row.
@admin.register(RequiredDocument)
class RequiredDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("activity", "variant_key", "step", "kind", "provider", "note")
    list_filter = ("step", "provider")


@admin.register(AdvanceCondition)
class AdvanceConditionAdmin(SimpleHistoryAdmin):
    list_display = ("activity", "measure", "min_progress_percent", "no_advance", "legal_basis")


@admin.register(ProjectRules)
class ProjectRulesAdmin(SimpleHistoryAdmin):
    """One row, edited in place: no adding a second, no deleting it."""

    list_display = (
        "__str__",
        "settlement_deadline_day",
        "settlement_deadline_month",
        "legal_basis",
        "dossier_deadline_days",
    )

    def has_add_permission(self, request):
        return not ProjectRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
