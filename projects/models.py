"""Projects (đề án khuyến công): the project, its budget versions by funding source, its outputs,
its workflow history with typed step data, documents, progress entries and payments.

The cycle follows Thông tư 36/2013/TT-BCT (registration, appraisal, approval, contract,
implementation, acceptance, settlement), which the province applies to local funds too."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applicants.models import Applicant, SupportRequest
from core.kept import forget, kept
from programmes.models import (
    ActivityType,
    ActivityVariant,
    AdministrativeUnit,
    DecisionIssuer,
    FundingSource,
    Indicator,
)


class Status(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã trình")
    RETURNED = "returned", _("Trả lại bổ sung")
    APPRAISED = "appraised", _("Đã thẩm định")
    APPROVED = "approved", _("Đã phê duyệt")
    CONTRACTED = "contracted", _("Đã ký hợp đồng")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    ACCEPTED = "accepted", _("Đã nghiệm thu")
    SETTLED = "settled", _("Đã quyết toán")
    REJECTED = "rejected", _("Không phê duyệt")
    CANCELLED = "cancelled", _("Đã hủy / dừng thực hiện")


# The colour (Bootstrap text-bg-*) of each status's badge on the list and the page.
STATUS_BADGE = {
    Status.DRAFT: "secondary",
    Status.RETURNED: "warning",
    Status.SUBMITTED: "info",
    Status.APPRAISED: "info",
    Status.APPROVED: "primary",
    Status.CONTRACTED: "primary",
    Status.IN_PROGRESS: "primary",
    Status.ACCEPTED: "success",
    Status.SETTLED: "success",
    Status.REJECTED: "danger",
    Status.CANCELLED: "dark",
}

EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
ADJUSTABLE_STATUSES = (Status.APPROVED, Status.CONTRACTED, Status.IN_PROGRESS)
# States whose figures are approved: what observers may see.
APPROVED_STATUSES = (
    Status.APPROVED,
    Status.CONTRACTED,
    Status.IN_PROGRESS,
    Status.ACCEPTED,
    Status.SETTLED,
)
COMPLETED_STATUSES = (Status.ACCEPTED, Status.SETTLED)
# Nothing more is asked of a beneficiary.
CLOSED_STATUSES = (Status.SETTLED, Status.REJECTED, Status.CANCELLED)


class DocumentKind(models.TextChoices):
    PROPOSAL = "proposal", _("Hồ sơ đề án (thuyết minh, dự toán Mẫu 1)")
    REGISTRATION = "registration", _("Giấy đăng ký kinh doanh / quyết định thành lập")
    QUOTATION = "quotation", _("Báo giá máy móc, thiết bị")
    APPRAISAL_SHEET = "appraisal_sheet", _("Phiếu thẩm định")
    DECISION = "decision", _("Quyết định phê duyệt / điều chỉnh")
    CONTRACT = "contract", _("Hợp đồng")
    PROGRESS_REPORT = "progress_report", _("Báo cáo tiến độ")
    ACCEPTANCE_MINUTES = "acceptance_minutes", _("Biên bản nghiệm thu")
    LIQUIDATION_MINUTES = "liquidation_minutes", _("Biên bản thanh lý")
    TRADEMARK_CERTIFICATE = "trademark_certificate", _("Giấy chứng nhận đăng ký nhãn hiệu")
    STANDARDS_PROOF = "standards_proof", _("Kết quả kiểm định, quan trắc đạt tiêu chuẩn, quy chuẩn")
    TRAINEE_LIST = "trainee_list", _("Danh sách học viên")
    INVOICE = "invoice", _("Hóa đơn, chứng từ")
    PHOTO = "photo", _("Ảnh")
    OTHER = "other", _("Tài liệu khác")


class Project(models.Model):
    """A đề án khuyến công: one project with objective, content, beneficiaries, duration and budget
    (NĐ 45/2012/NĐ-CP Điều 3, as amended by NĐ 235/2025/NĐ-CP)."""

    code = models.CharField(_("mã đề án"), max_length=30, unique=True)
    title = models.CharField(_("tên đề án"), max_length=400)
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    activity = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="projects", verbose_name=_("hoạt động")
    )
    variant = models.ForeignKey(
        ActivityVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("trường hợp"),
    )
    lead_fund = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="led_projects",
        limit_choices_to={"can_lead": True},
        verbose_name=_("nguồn kinh phí chủ trì"),
    )
    # Annual plans (issue 12): the plan item the đề án belongs to; required from approval on once
    # an approved plan exists for its year and lead fund (projects.services.plans).
    plan_item = models.ForeignKey(
        "programmes.PlanItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("mục kế hoạch"),
    )
    implementing_unit = models.CharField(_("đơn vị thực hiện"), max_length=300)
    beneficiaries = models.ManyToManyField(
        Applicant, blank=True, related_name="projects", verbose_name=_("đơn vị thụ hưởng")
    )
    communes = models.ManyToManyField(
        AdministrativeUnit, blank=True, related_name="projects", verbose_name=_("địa bàn (xã, phường)")
    )
    # A provincial fair, a training open to every commune: its results go to the unit reports'
    # "province level" bucket, never into a commune's figures (reports.prefill).
    province_wide = models.BooleanField(
        _("hoạt động cấp tỉnh"),
        default=False,
        help_text=_(
            "Hoạt động chung của toàn tỉnh (hội chợ cấp tỉnh, lớp tập huấn mở cho mọi xã, phường): "
            "kết quả tính vào cấp tỉnh, không chia cho xã, phường nào."
        ),
    )
    support_request = models.OneToOneField(
        SupportRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("đề nghị hỗ trợ"),
    )
    start_date = models.DateField(_("ngày bắt đầu dự kiến"), null=True, blank=True)
    end_date = models.DateField(_("ngày kết thúc dự kiến"), null=True, blank=True)
    objectives = models.TextField(_("mục tiêu"), blank=True)
    content = models.TextField(_("nội dung, quy mô"), blank=True)

    # Money (whole đồng). The lines of the current budget version add up to total_cost; the
    # state-support share is kept here too so lists can total it without touching the lines.
    total_cost = models.BigIntegerField(_("tổng kinh phí (đồng)"), default=0)
    eligible_cost = models.BigIntegerField(_("chi phí được tính hỗ trợ (đồng)"), default=0)
    state_support = models.BigIntegerField(
        _("kinh phí hỗ trợ của Nhà nước (đồng)"), default=0, editable=False
    )
    # No ceiling reads this number any more (issue 9 A4: what a cap covers is counted from the
    # project, see projects.services.budget.cap_units); no form writes it. The column stays for the
    # rows and budget versions written before.
    units_covered = models.PositiveIntegerField(
        _("số đơn vị tính mức trần (không còn dùng)"), default=1, editable=False
    )
    # What a cap is multiplied by (programmes.CapUnit): the models a 2a đề án builds; the facilities
    # a group đề án plans to support while its beneficiaries are not yet named.
    models_count = models.PositiveIntegerField(
        _("số mô hình"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Số mô hình trình diễn của đề án (mức tối đa tính theo mô hình)."),
    )
    planned_beneficiaries = models.PositiveIntegerField(
        _("số cơ sở thụ hưởng dự kiến"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Đề án nhóm phê duyệt trước khi có danh sách cơ sở: số cơ sở dự kiến; "
            "danh sách và phần hỗ trợ của từng cơ sở phải có trước khi nghiệm thu."
        ),
    )
    current_budget = models.ForeignKey(
        "BudgetVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("dự toán hiện hành"),
    )
    ceiling_flag = models.BooleanField(_("chưa có quy định mức hỗ trợ"), default=False, editable=False)
    ceiling_note = models.CharField(
        _("ghi chú kiểm tra mức hỗ trợ"), max_length=500, blank=True, editable=False
    )

    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Figures of the steps, copied from the history rows for lists, targets and reports.
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định phê duyệt"), null=True, blank=True)
    approved_support = models.BigIntegerField(_("kinh phí hỗ trợ được duyệt (đồng)"), null=True, blank=True)
    contract_number = models.CharField(_("số hợp đồng"), max_length=60, blank=True)
    contract_date = models.DateField(_("ngày ký hợp đồng"), null=True, blank=True)
    contract_value = models.BigIntegerField(_("giá trị hợp đồng (đồng)"), null=True, blank=True)
    started_on = models.DateField(_("ngày bắt đầu thực hiện"), null=True, blank=True)
    acceptance_number = models.CharField(_("số biên bản nghiệm thu"), max_length=60, blank=True)
    acceptance_date = models.DateField(_("ngày nghiệm thu"), null=True, blank=True)
    accepted_cost = models.BigIntegerField(_("kinh phí nghiệm thu (đồng)"), null=True, blank=True)
    accepted_support = models.BigIntegerField(_("kinh phí hỗ trợ nghiệm thu (đồng)"), null=True, blank=True)
    actual_cost = models.BigIntegerField(_("kinh phí thực hiện (đồng)"), null=True, blank=True)
    actual_support = models.BigIntegerField(_("kinh phí hỗ trợ quyết toán (đồng)"), null=True, blank=True)
    settled_on = models.DateField(_("ngày quyết toán"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(editable=False, max_length=600, default="", db_index=True)
    # The audit trail (core.audit) of the fields; the steps keep their own rows (ProjectTransition).
    history = HistoricalRecords(
        verbose_name=_("lịch sử thay đổi đề án"), excluded_fields=["search_text", "sort_key"]
    )

    class Meta:
        verbose_name = _("đề án")
        verbose_name_plural = _("đề án")
        ordering = ["-year", "code"]
        indexes = [
            models.Index(fields=["year", "status"], name="project_year_status"),
            models.Index(fields=["status", "acceptance_date"], name="project_status_acceptance"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_cost__gte=0), name="project_total_cost_non_negative"),
            models.CheckConstraint(
                condition=Q(eligible_cost__gte=0) & Q(eligible_cost__lte=F("total_cost")),
                name="project_eligible_cost_within_total",
            ),
            models.CheckConstraint(
                condition=Q(state_support__gte=0) & Q(state_support__lte=F("total_cost")),
                name="project_support_within_total",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=F("end_date")),
                name="project_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(units_covered__gte=1), name="project_units_covered_positive"),
            models.CheckConstraint(condition=Q(models_count__gte=1), name="project_models_count_positive"),
            models.CheckConstraint(
                condition=Q(planned_beneficiaries__isnull=True) | Q(planned_beneficiaries__gte=1),
                name="project_planned_beneficiaries_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="project_status_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"project_{name}_non_negative",
                )
                for name in (
                    "approved_support",
                    "contract_value",
                    "accepted_cost",
                    "accepted_support",
                    "actual_cost",
                    "actual_support",
                )
            ],
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "settled"]) | Q(acceptance_date__isnull=False),
                name="project_accepted_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def counterpart(self):
        return self.total_cost - self.state_support

    @property
    def status_badge(self):
        return STATUS_BADGE[self.status]

    @property
    def current_support(self):
        """The state support as it stands: settled, else accepted, else the current budget's
        (proposed before approval, approved or adjusted after). See CURRENT_SUPPORT."""
        for value in (self.actual_support, self.accepted_support):
            if value is not None:
                return value
        return self.state_support

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def is_adjustable(self):
        return self.status in ADJUSTABLE_STATUSES


# Project.current_support as an expression, for sorting and totalling lists.
CURRENT_SUPPORT = Coalesce("actual_support", "accepted_support", "state_support")


class ProjectCodeCounter(models.Model):
    """The last number given to a project of a year and lead fund (DA-2026-KCDP-007)."""

    year = models.PositiveSmallIntegerField()
    fund_code = models.CharField(max_length=10)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "fund_code"], name="project_code_counter_unique"),
        ]

    def __str__(self):
        return f"{self.year} {self.fund_code}: {self.last_number}"


class BudgetVersion(models.Model):
    """One version of a project's budget. Version 1 is the proposal; after approval the budget is
    frozen and each adjustment (điều chỉnh, by decision) adds a new version; old ones stay."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_versions")
    number = models.PositiveSmallIntegerField(_("lần"))
    total_cost = models.BigIntegerField(_("tổng kinh phí (đồng)"))
    eligible_cost = models.BigIntegerField(_("chi phí được tính hỗ trợ (đồng)"))
    units_covered = models.PositiveIntegerField(_("số đơn vị tính mức trần"), default=1)
    decision_number = models.CharField(_("số quyết định điều chỉnh"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định điều chỉnh"), null=True, blank=True)
    reason = models.TextField(_("nội dung điều chỉnh"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phiên bản dự toán")
        verbose_name_plural = _("phiên bản dự toán")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="budget_version_unique_number"),
            models.CheckConstraint(condition=Q(total_cost__gte=0), name="budget_total_non_negative"),
            models.CheckConstraint(
                condition=Q(eligible_cost__gte=0) & Q(eligible_cost__lte=F("total_cost")),
                name="budget_eligible_within_total",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="budget_adjustment_has_decision",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} v{self.number}"


class BudgetLine(models.Model):
    """The amount of one funding source in a budget version (one row per source)."""

    budget = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("dòng dự toán")
        verbose_name_plural = _("dòng dự toán")
        ordering = ["budget", "funding_source__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "funding_source"], name="budget_line_one_per_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_non_negative"),
        ]

    def __str__(self):
        return f"{self.funding_source}: {self.amount}"


class ProjectOutput(models.Model):
    """An expected output with its quantity and unit (trainees, machines, models…). An output may
    also count towards a unit-report indicator (trainees, classes, fairs…): then `number` is the
    figure in the indicator's unit, which the unit reports pre-fill from instead of reading the
    free text."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    label = models.CharField(_("sản phẩm, kết quả"), max_length=300)
    quantity = models.DecimalField(
        _("số lượng"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_outputs",
        verbose_name=_("chỉ tiêu báo cáo"),
    )
    number = models.PositiveBigIntegerField(_("số liệu theo chỉ tiêu"), null=True, blank=True)

    class Meta:
        verbose_name = _("kết quả dự kiến")
        verbose_name_plural = _("kết quả dự kiến")
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="output_quantity_non_negative"),
            models.CheckConstraint(
                condition=Q(indicator__isnull=True) | Q(number__isnull=False),
                name="output_indicator_has_number",
                violation_error_code="indicator_without_number",
                violation_error_message=_("Kết quả gắn với chỉ tiêu báo cáo phải có số liệu."),
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.quantity} {self.unit}"


class ProjectDocument(models.Model):
    """A file of the project's dossier, checked by content on upload (core.uploads)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("loại tài liệu"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("tệp"), upload_to="projects/%Y/%m/")
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tài liệu đề án")
        verbose_name_plural = _("tài liệu đề án")
        ordering = ["project", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class RequiredDocument(models.Model):
    """The checklist: which document kinds a step needs, for one activity (or all activities when
    no activity is set) and optionally one of its variants (the trademark case of 3c, say), and who
    provides them. The step that needs a document refuses to go on without it (submit, accept,
    settle). Staff edit it in the admin."""

    class Provider(models.TextChoices):
        APPLICANT = "applicant", _("Cơ sở thụ hưởng")
        STAFF = "staff", _("Cán bộ Sở")

    activity = models.ForeignKey(
        ActivityType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="required_documents",
        verbose_name=_("hoạt động"),
    )
    variant_key = models.CharField(
        _("chỉ cho trường hợp"),
        max_length=30,
        blank=True,
        help_text=_("Mã trường hợp của hoạt động (ví dụ trademark); để trống = mọi trường hợp."),
    )
    step = models.CharField(_("bước"), max_length=20)
    kind = models.CharField(_("loại tài liệu"), max_length=30, choices=DocumentKind.choices)
    provider = models.CharField(_("bên cung cấp"), max_length=20, choices=Provider.choices)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    history = HistoricalRecords(verbose_name=_("lịch sử tài liệu bắt buộc"))

    class Meta:
        verbose_name = _("tài liệu bắt buộc")
        verbose_name_plural = _("danh mục tài liệu bắt buộc")
        ordering = ["step", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "variant_key", "step", "kind"], name="required_document_unique"
            ),
        ]

    def __str__(self):
        return f"{self.step}: {self.get_kind_display()}"


class AdvanceCondition(models.Model):
    """The progress a project must have reported before an advance is paid, per activity
    (TT 36/2013/TT-BCT Điều 13: more than 70% of the investment realised for demonstration
    models, machinery and facility pollution treatment; more than 50% for cluster pollution
    treatment), or no advance at all (support to found an enterprise is paid in full after
    acceptance). Data, editable by staff, because the circular is amended from time to time."""

    class Measure(models.TextChoices):
        SPENT_SHARE = "spent_share", _("Giá trị khối lượng đã thực hiện / tổng vốn đầu tư")
        PROGRESS = "progress", _("Tiến độ thực hiện (%)")

    activity = models.OneToOneField(
        ActivityType, on_delete=models.CASCADE, related_name="advance_condition", verbose_name=_("hoạt động")
    )
    measure = models.CharField(
        _("đo bằng"),
        max_length=20,
        choices=Measure.choices,
        default=Measure.SPENT_SHARE,
        help_text=_(
            "Mô hình trình diễn, máy móc, xử lý ô nhiễm tại cơ sở: giá trị đã thực hiện trên tổng vốn "
            "đầu tư, theo báo cáo tiến độ Sở đã xác nhận; tỷ lệ tiến độ thôi là chưa đủ."
        ),
    )
    min_progress_percent = models.DecimalField(
        _("ngưỡng phải vượt (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    no_advance = models.BooleanField(
        _("không tạm ứng"),
        default=False,
        help_text=_(
            "Thanh toán một lần sau nghiệm thu, không tạm ứng (ví dụ hỗ trợ thành lập doanh nghiệp, "
            "TT 36/2013/TT-BCT Điều 13)."
        ),
    )

    history = HistoricalRecords(verbose_name=_("lịch sử điều kiện tạm ứng"))

    class Meta:
        verbose_name = _("điều kiện tạm ứng")
        verbose_name_plural = _("điều kiện tạm ứng")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_progress_percent__gte=0) & Q(min_progress_percent__lte=100),
                name="advance_condition_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.activity.code}: > {self.min_progress_percent}%"


class ProjectTransition(models.Model):
    """An immutable row of a project's history: who took which step, when, with what comment, and
    the typed fields the step records (see projects.workflow.STEPS)."""

    class AppraisalResult(models.TextChoices):
        PASS = "pass", _("Đạt")
        FAIL = "fail", _("Không đạt")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    step = models.CharField(_("bước"), max_length=20)
    from_status = models.CharField(_("từ trạng thái"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("ý kiến"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    appraisal_result = models.CharField(
        _("kết quả thẩm định"), max_length=10, choices=AppraisalResult.choices, blank=True
    )
    appraisal_date = models.DateField(_("ngày thẩm định"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    # Approval: who issued the decision (checked against the lead fund's DecisionIssuer rows) and,
    # for a state line with no support rule in force, the legal basis the leader applied.
    issuer = models.CharField(
        _("cơ quan ban hành quyết định"), max_length=20, choices=DecisionIssuer.Issuer.choices, blank=True
    )
    legal_basis = models.CharField(_("căn cứ pháp lý áp dụng"), max_length=300, blank=True)
    # Approval of less support than proposed (NĐ 45/2012/NĐ-CP as amended by NĐ 235/2025/NĐ-CP;
    # TT 28/2018/TT-BTC): the beneficiary's written commitment to carry the larger counterpart share
    # (who, which document, its date), or the smaller scale the decision approves instead.
    counterpart_commitment = models.CharField(
        _("cam kết tăng vốn đối ứng (văn bản, của ai)"), max_length=300, blank=True
    )
    counterpart_commitment_date = models.DateField(_("ngày văn bản cam kết đối ứng"), null=True, blank=True)
    models_count = models.PositiveIntegerField(
        _("số mô hình được duyệt"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    planned_beneficiaries = models.PositiveIntegerField(
        _("số cơ sở thụ hưởng được duyệt"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    contract_number = models.CharField(_("số hợp đồng"), max_length=60, blank=True)
    contract_date = models.DateField(_("ngày ký hợp đồng"), null=True, blank=True)
    contract_parties = models.CharField(_("các bên ký hợp đồng"), max_length=400, blank=True)
    contract_value = models.BigIntegerField(_("giá trị hợp đồng (đồng)"), null=True, blank=True)
    start_date = models.DateField(_("ngày bắt đầu thực hiện"), null=True, blank=True)
    acceptance_number = models.CharField(_("số biên bản nghiệm thu"), max_length=60, blank=True)
    acceptance_date = models.DateField(_("ngày nghiệm thu"), null=True, blank=True)
    accepted_cost = models.BigIntegerField(_("tổng kinh phí nghiệm thu (đồng)"), null=True, blank=True)
    actual_cost = models.BigIntegerField(_("kinh phí thực hiện (đồng)"), null=True, blank=True)
    liquidation_number = models.CharField(_("số biên bản thanh lý"), max_length=60, blank=True)
    settlement_date = models.DateField(_("ngày quyết toán"), null=True, blank=True)
    document = models.ForeignKey(
        ProjectDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp của bước"),
    )
    budget = models.ForeignKey(
        BudgetVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bước xử lý đề án")
        verbose_name_plural = _("lịch sử xử lý đề án")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_value__isnull=True) | Q(contract_value__gte=0),
                name="transition_contract_value_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(accepted_cost__isnull=True) | Q(accepted_cost__gte=0),
                name="transition_accepted_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0),
                name="transition_actual_cost_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.from_status or '—'} → {self.to_status}"


class TransitionAmount(models.Model):
    """An amount per funding source recorded by a step: approved support at approval (and the new
    support at an adjustment), accepted support at acceptance, actual support at settlement. At
    approval and adjustment it keeps the rule its fund's line was checked against and the limit
    that rule set on the decision date (empty when no rule was in force)."""

    transition = models.ForeignKey(ProjectTransition, on_delete=models.CASCADE, related_name="amounts")
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    rule_code = models.CharField(_("quy định mức hỗ trợ áp dụng"), max_length=60, blank=True)
    rule_limit = models.BigIntegerField(_("mức hỗ trợ tối đa theo quy định (đồng)"), null=True, blank=True)

    class Meta:
        ordering = ["transition", "funding_source__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["transition", "funding_source"], name="transition_amount_one_per_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="transition_amount_non_negative"),
        ]

    def __str__(self):
        return f"{self.funding_source}: {self.amount}"


class ProgressEntry(models.Model):
    """A monthly progress report (TT 36/2013/TT-BCT: by the 25th of each month, Mẫu 3a/3b)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_entries")
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng báo cáo."))
    reported_on = models.DateField(_("ngày báo cáo"), default=timezone.localdate)
    percent = models.DecimalField(
        _("tiến độ (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    spent = models.BigIntegerField(
        _("kinh phí đã thực hiện (đồng)"), default=0, validators=[MinValueValidator(0)]
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    document = models.ForeignKey(
        ProjectDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The Sở's confirmation of the figures: only a confirmed report opens an advance (TT 36/2013/TT-BCT
    # Điều 13: the value of work done, as the Sở has checked it).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("ngày Sở xác nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="progress_one_per_month"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="progress_percent_range"
            ),
            models.CheckConstraint(condition=Q(spent__gte=0), name="progress_spent_non_negative"),
        ]

    def __str__(self):
        return f"{self.month:%m/%Y}: {self.percent}%"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class Payment(models.Model):
    """An advance (tạm ứng) or a final payment (thanh toán) against the contract."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Tạm ứng")
        FINAL = "final", _("Thanh toán")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    paid_on = models.DateField(_("ngày chi"))
    reference = models.CharField(_("số chứng từ"), max_length=60, blank=True)
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"is_state_support": True},
        verbose_name=_("nguồn kinh phí"),
        help_text=_("Để trống ở các khoản ghi trước khi có trường này: tính vào nguồn chủ trì."),
    )
    rule_code = models.CharField(_("quy định áp dụng"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("khoản chi")
        verbose_name_plural = _("khoản chi")
        ordering = ["project", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class AdvanceRecovery(models.Model):
    """An advance paid back (thu hồi tạm ứng): what was advanced beyond what acceptance allows is
    recovered, with its date and document, before acceptance can complete (TT 36/2013/TT-BCT
    Điều 13; workflow.md, Payments)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recoveries")
    funding_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="+", verbose_name=_("nguồn kinh phí")
    )
    amount = models.BigIntegerField(_("số tiền thu hồi (đồng)"))
    recovered_on = models.DateField(_("ngày thu hồi"))
    reference = models.CharField(_("số chứng từ thu hồi"), max_length=60)
    document = models.ForeignKey(
        ProjectDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp chứng từ"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thu hồi tạm ứng")
        verbose_name_plural = _("thu hồi tạm ứng")
        ordering = ["project", "recovered_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=~Q(reference=""), name="recovery_has_reference"),
        ]

    def __str__(self):
        return f"{self.recovered_on:%d/%m/%Y}: {self.amount}"


class BeneficiaryShare(models.Model):
    """A named beneficiary's share of a project's state support: a per-facility or per-trademark
    cap applies to each facility (TT 28/2018/TT-BTC Điều 8), so a group đề án states what each one
    receives. Kept beside Project.beneficiaries (the list stays the M2M every page reads): a share
    of an applicant that is no longer a beneficiary counts for nothing."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiary_shares")
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="project_shares", verbose_name=_("cơ sở thụ hưởng")
    )
    amount = models.BigIntegerField(_("phần kinh phí hỗ trợ (đồng)"))

    class Meta:
        verbose_name = _("phần hỗ trợ của cơ sở thụ hưởng")
        verbose_name_plural = _("phần hỗ trợ của cơ sở thụ hưởng")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "applicant"], name="beneficiary_share_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="beneficiary_share_non_negative"),
        ]

    def __str__(self):
        return f"{self.applicant}: {self.amount}"


class PlanShare(models.Model):
    """The part of a multi-year đề án's lead-fund support planned in one year's plan (issue 12:
    a đề án điểm spending over several years has an item in the plan of each year it spends in).
    A đề án without shares is a one-year đề án: its whole lead-fund support sits on
    Project.plan_item. With shares, they name every year (the first one is Project.plan_item's)
    and add up to the lead fund's line of the current budget: committed, contracted and disbursed
    money count on each year's item by share (disbursed by the payment's year), settled money on
    the last year's (projects.selectors_plans)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plan_shares")
    plan_item = models.ForeignKey(
        "programmes.PlanItem",
        on_delete=models.PROTECT,
        related_name="project_shares",
        verbose_name=_("mục kế hoạch"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    amount = models.BigIntegerField(_("kinh phí hỗ trợ trong năm (đồng)"))

    class Meta:
        verbose_name = _("phần kinh phí theo năm của đề án")
        verbose_name_plural = _("phần kinh phí theo năm của đề án")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="plan_share_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_share_non_negative"),
        ]

    def __str__(self):
        return f"{self.project_id} {self.year}: {self.amount}"


PROJECT_RULES_CACHE_KEY = "project-rules:v1"
PROJECT_RULES_CACHE_SECONDS = 300


class ProjectRules(models.Model):
    """Dated figures of the project cycle that staff may change without a release: one row.

    Settlement (quyết toán) is due by 22 January of the year after the year the project ends (its
    end date, the plan year without one; TT 36/2013/TT-BCT; domain.md §3): an accepted project not
    settled after that day is flagged on the staff pages. The settlement dossier is due within
    15 days after the last acceptance (TT 36/2013/TT-BCT Điều 18.1)."""

    settlement_deadline_month = models.PositiveSmallIntegerField(
        _("tháng hạn quyết toán"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Tháng của năm sau năm kế hoạch (1 = tháng 1)."),
    )
    settlement_deadline_day = models.PositiveSmallIntegerField(
        _("ngày hạn quyết toán"),
        default=22,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Hết ngày này mà đề án đã nghiệm thu chưa quyết toán thì bị đánh dấu quá hạn."),
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, default="TT 36/2013/TT-BCT")
    dossier_deadline_days = models.PositiveSmallIntegerField(
        _("hạn nộp hồ sơ quyết toán (ngày sau nghiệm thu)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    dossier_legal_basis = models.CharField(
        _("căn cứ hạn nộp hồ sơ quyết toán"), max_length=300, default="TT 36/2013/TT-BCT Điều 18 khoản 1"
    )

    history = HistoricalRecords(verbose_name=_("lịch sử quy định chung của đề án"))

    class Meta:
        verbose_name = _("quy định chung của đề án")
        verbose_name_plural = _("quy định chung của đề án")
        constraints = [
            models.CheckConstraint(
                condition=Q(settlement_deadline_month__gte=1) & Q(settlement_deadline_month__lte=12),
                name="project_rules_month_range",
            ),
            models.CheckConstraint(
                condition=Q(settlement_deadline_day__gte=1) & Q(settlement_deadline_day__lte=31),
                name="project_rules_day_range",
            ),
        ]

    def __str__(self):
        return str(_("Hạn quyết toán: ngày %(day)s/%(month)s năm sau")) % {
            "day": self.settlement_deadline_day,
            "month": self.settlement_deadline_month,
        }

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)
        self.forget_cached()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.forget_cached()
        return result

    @staticmethod
    def forget_cached():
        """Drop the copy the lists read (cached()): now, and again once the change is committed, so
        that a request reading the old row meanwhile does not keep it."""
        forget(PROJECT_RULES_CACHE_KEY)

    @classmethod
    def cached(cls):
        """current(), kept five minutes for the project list, which reads the settlement deadline
        on every request (issue 14); saving or deleting the row drops the copy."""
        return kept(PROJECT_RULES_CACHE_KEY, cls.current, PROJECT_RULES_CACHE_SECONDS)

    def clean(self):
        import calendar

        from django.core.exceptions import ValidationError

        month, day = self.settlement_deadline_month, self.settlement_deadline_day
        if month and day and 1 <= month <= 12 and day > calendar.monthrange(2025, month)[1]:
            raise ValidationError(
                {
                    "settlement_deadline_day": _("Tháng %(month)s không có ngày %(day)s.")
                    % {"month": month, "day": day}
                }
            )

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first() or cls()

    def settlement_deadline(self, year):
        """The last day to settle a project that ends in `year`."""
        import datetime

        return datetime.date(year + 1, self.settlement_deadline_month, self.settlement_deadline_day)
