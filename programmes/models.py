"""The programme's frame: what the province approved and the reference data it runs on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text import search_text, sort_key


class Programme(models.Model):
    """A multi-year programme approved by the provincial People's Committee (NĐ 45/2012 Điều 8)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=300)
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    signer = models.CharField(_("người ký"), max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"))
    objectives = models.TextField(_("mục tiêu chung"), blank=True)
    specific_objectives = models.TextField(_("mục tiêu cụ thể"), blank=True)
    is_current = models.BooleanField(_("chương trình hiện hành"), default=False)

    class Meta:
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__lte=F("end_year")), name="programme_years_ordered"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_programme"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def years(self):
        return range(self.start_year, self.end_year + 1)


class Target(models.Model):
    """A quantified target of the programme. Progress is computed by `reports` from real data,
    never typed in; `measure` names the computation."""

    class Measure(models.TextChoices):
        # What each computation counts (design.md, Target): projects accepted or settled whose plan
        # year and acceptance date both lie inside the programme's years.
        DEMO_MODELS = "demo_models", _("Số mô hình của các đề án 2a đã nghiệm thu (không đếm số đề án)")
        MACHINERY_FACILITIES = (
            "machinery_facilities",
            _("Số cơ sở khác nhau thụ hưởng đề án 2b đã nghiệm thu (kèm số lượt hỗ trợ)"),
        )
        SELECTION_ROUNDS = (
            "selection_rounds",
            _("Số kỳ bình chọn cấp tỉnh khác nhau (năm và quyết định công nhận), không đếm số đề án"),
        )
        TRADEMARKS = "trademarks", _("Số cơ sở khác nhau thụ hưởng đề án 3c đăng ký nhãn hiệu đã nghiệm thu")
        COLLABORATORS = "collaborators", _("Số xã, phường đang hoạt động có cộng tác viên khuyến công")

    class Basis(models.TextChoices):
        ABSOLUTE = "absolute", _("Tổng số trong giai đoạn")
        PER_COMMUNE = "per_commune", _("Cho mỗi xã, phường đang hoạt động")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("chỉ tiêu"), max_length=300)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    target_value = models.PositiveIntegerField(_("giá trị mục tiêu"))
    basis = models.CharField(_("cách tính"), max_length=20, choices=Basis.choices, default=Basis.ABSOLUTE)
    measure = models.CharField(_("phép đo"), max_length=40, choices=Measure.choices)
    source_section = models.CharField(_("căn cứ (mục của quyết định)"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["programme", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="target_code_unique_per_programme"),
            models.CheckConstraint(condition=Q(target_value__gt=0), name="target_value_positive"),
        ]

    def __str__(self):
        return self.name


class ContentArea(models.Model):
    """One of the programme's content areas (section III of the decision), numbered 1-6."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="content_areas")
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    name = models.CharField(_("nội dung"), max_length=400)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("nội dung chương trình")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="content_area_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class ActivityType(models.Model):
    """A lettered item of a content area: the activity catalogue every project belongs to."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="activity_types")
    content_area = models.ForeignKey(ContentArea, on_delete=models.PROTECT, related_name="activity_types")
    code = models.CharField(_("mã"), max_length=8, help_text=_("Số nội dung và chữ cái, ví dụ 2b."))
    letter = models.CharField(_("điểm"), max_length=2)
    short_label = models.CharField(_("tên ngắn"), max_length=200)
    description = models.TextField(_("nội dung đầy đủ"), blank=True)
    source_section = models.CharField(_("mục của quyết định"), max_length=20, blank=True)
    target_note = models.CharField(_("chỉ tiêu liên quan"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("hoạt động khuyến công")
        verbose_name_plural = _("danh mục hoạt động khuyến công")
        ordering = ["programme", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="activity_code_unique_per_programme"),
        ]

    def __str__(self):
        return f"{self.code}. {self.short_label}"


class ActivityVariant(models.Model):
    """A case of an activity that decides which support rule applies (new vs existing model,
    machine vs full line, provincial vs commune round, trademark vs showroom…)."""

    activity = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(_("mã"), max_length=40)
    label = models.CharField(_("trường hợp"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("trường hợp của hoạt động")
        verbose_name_plural = _("trường hợp của hoạt động")
        ordering = ["activity", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "key"], name="variant_key_unique_per_activity"),
        ]

    def __str__(self):
        return self.label


class BeneficiaryCategory(models.Model):
    """The programme's beneficiary groups a-đ (section II.2 of the decision; NĐ 45/2012 Điều 1)."""

    code = models.CharField(_("điểm"), max_length=2, unique=True)
    label = models.CharField(_("đối tượng"), max_length=400)
    direct_support = models.BooleanField(
        _("được nhận hỗ trợ trực tiếp"),
        default=True,
        help_text=_(
            "Bỏ chọn với nhóm chỉ liên quan đến hoạt động khuyến công mà không thụ hưởng kinh phí "
            "(điểm đ mục II.2 Quyết định 1966/QĐ-UBND): đề án có đơn vị thụ hưởng thuộc nhóm này "
            "không trình được."
        ),
    )
    legal_basis = models.CharField(
        _("căn cứ pháp lý"),
        max_length=300,
        default="QĐ 1966/QĐ-UBND mục II.2; NĐ 45/2012/NĐ-CP Điều 2 (sửa đổi bởi NĐ 235/2025/NĐ-CP)",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nhóm đối tượng")
        verbose_name_plural = _("nhóm đối tượng")
        ordering = ["sort_order"]

    def __str__(self):
        return f"{self.code}) {self.label}"


class FundingSource(models.Model):
    """Section IV of the decision: national funds, the provincial budget, counterpart, other."""

    KCQG = "KCQG"
    KCDP = "KCDP"
    COUNTERPART = "DOI_UNG"
    OTHER = "KHAC"

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("nguồn kinh phí"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=20)
    is_state_support = models.BooleanField(
        _("là kinh phí hỗ trợ của Nhà nước"),
        default=False,
        help_text=_("Kinh phí khuyến công quốc gia và địa phương: phần bị giới hạn bởi mức hỗ trợ."),
    )
    can_lead = models.BooleanField(_("có thể là nguồn chủ trì của đề án"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("nguồn kinh phí")
        verbose_name_plural = _("nguồn kinh phí")
        ordering = ["sort_order"]

    def __str__(self):
        return self.short_name


class AdministrativeUnit(models.Model):
    """A commune-level unit (xã or phường) of the province, keyed by its 5-digit national code."""

    class Kind(models.TextChoices):
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")

    code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Mã đơn vị hành chính gồm đúng 5 chữ số."))],
    )
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    full_name = models.CharField(_("tên đầy đủ"), max_length=120)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    national_order = models.PositiveIntegerField(
        _("số thứ tự trong danh mục quốc gia"), null=True, blank=True
    )
    former_province = models.CharField(_("tỉnh cũ"), max_length=100, blank=True)
    former_districts = models.CharField(_("huyện cũ"), max_length=300, blank=True)
    merged_from = models.TextField(_("hợp nhất từ (chưa kiểm chứng)"), blank=True)
    search_text = models.TextField(editable=False, default="")
    # core.text.sort_key of the name: every dropdown and list of communes follows Vietnamese order
    # ("Bắc …" before "Bình …", "Bình Định" before "Bình Thanh") through Meta.ordering.
    sort_key = models.CharField(editable=False, max_length=600, default="", db_index=True)

    class Meta:
        verbose_name = _("xã, phường")
        verbose_name_plural = _("xã, phường")
        ordering = ["sort_key", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{5}$"), name="admin_unit_code_5_digits"),
            models.CheckConstraint(condition=Q(kind__in=["xa", "phuong"]), name="admin_unit_kind_valid"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = search_text(self.full_name, self.code)
        self.sort_key = sort_key(self.name)
        super().save(*args, **kwargs)


class CapUnit(models.TextChoices):
    """What one cap of a support rule covers: a fixed set, because the number of units a cap is
    multiplied by is read from the project (TT 28/2018/TT-BTC Điều 8 states each cap per model, per
    facility, per trademark or per round; anything else is per project)."""

    FACILITY = "facility", _("cơ sở")
    MODEL = "model", _("mô hình")
    TRADEMARK = "trademark", _("nhãn hiệu")
    ROUND = "round", _("kỳ bình chọn")
    PROJECT = "project", _("đề án")


class SupportRule(models.Model):
    """A bound on state support, kept as data because the law changes: a ceiling (max share of the
    eligible cost and/or max amount per unit covered), an advance share, a reward, an overhead share
    or a multiplier. National levels: TT 28/2018/TT-BTC amended by TT 64/2024/TT-BTC; advances:
    TT 36/2013/TT-BCT Điều 13; provincial levels: a resolution of the provincial People's Council."""

    class Kind(models.TextChoices):
        CEILING = "ceiling", _("Mức hỗ trợ tối đa")
        ADVANCE = "advance", _("Tỷ lệ tạm ứng tối đa")
        REWARD = "reward", _("Mức thưởng")
        MANAGEMENT = "management", _("Chi quản lý")
        MULTIPLIER = "multiplier", _("Hệ số ưu tiên")

    class Status(models.TextChoices):
        NATIONAL = "national", _("Quy định quốc gia")
        PROVINCIAL = "provincial", _("Quy định của tỉnh")
        SUPERSEDED = "superseded", _("Hết hiệu lực (lịch sử)")
        EXAMPLE = "example", _("Ví dụ của tỉnh khác (không áp dụng)")

    # Superseded rules still applied during their dates (past projects); examples never apply.
    APPLICABLE_STATUSES = (Status.NATIONAL, Status.PROVINCIAL, Status.SUPERSEDED)

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    activity = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_rules",
        verbose_name=_("hoạt động"),
    )
    variant = models.ForeignKey(
        ActivityVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_rules",
        verbose_name=_("trường hợp"),
    )
    applies_to_all = models.BooleanField(
        _("áp dụng cho mọi hoạt động không có quy định riêng"), default=False
    )
    case_description = models.CharField(_("trường hợp áp dụng"), max_length=300, blank=True)
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="support_rules",
        verbose_name=_("nguồn kinh phí"),
    )
    kind = models.CharField(_("loại quy định"), max_length=20, choices=Kind.choices)
    max_percent = models.DecimalField(
        _("tỷ lệ tối đa (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    cap_vnd = models.BigIntegerField(
        _("mức tối đa (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    multiplier = models.DecimalField(_("hệ số"), max_digits=4, decimal_places=2, null=True, blank=True)
    cap_unit = models.CharField(_("mức tối đa tính cho"), max_length=20, choices=CapUnit.choices, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    to_verify = models.BooleanField(
        _("cần kiểm tra lại với văn bản gốc"),
        default=False,
        help_text=_("Mức đọc từ nguồn thứ cấp, chưa đối chiếu với Thông tư 64/2024/TT-BTC."),
    )
    label = models.CharField(_("nội dung theo văn bản"), max_length=400, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    # After the 2025 merger the resolutions of the two former provinces may still apply in their
    # former territories (Nghị quyết 1666/NQ-UBTVQH15; NĐ 45/2012/NĐ-CP as amended by
    # NĐ 235/2025/NĐ-CP leaves local levels to the provincial People's Council).
    communes = models.ManyToManyField(
        AdministrativeUnit,
        blank=True,
        related_name="support_rules",
        verbose_name=_("phạm vi áp dụng (xã, phường)"),
        help_text=_(
            "Để trống: áp dụng trên toàn tỉnh. Chọn xã, phường khi quy định chỉ áp dụng cho một địa bàn."
        ),
    )

    # Who changed a level, when, and what it was before: a project approved under a level must
    # stay explainable after the level changes.
    history = HistoricalRecords(verbose_name=_("lịch sử quy định mức hỗ trợ"))

    class Meta:
        verbose_name = _("quy định mức hỗ trợ")
        verbose_name_plural = _("quy định mức hỗ trợ")
        ordering = ["activity__sort_order", "kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=F("valid_to")),
                name="support_rule_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_percent__isnull=True) | (Q(max_percent__gte=0) & Q(max_percent__lte=100)),
                name="support_rule_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(cap_vnd__isnull=True) | Q(cap_vnd__gte=0), name="support_rule_cap_non_negative"
            ),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="support_rule_has_legal_basis"),
            # A rule that can apply has a start date (a superseded one an end date too); examples have none.
            models.CheckConstraint(
                condition=~Q(status__in=["national", "provincial", "superseded"])
                | Q(valid_from__isnull=False),
                name="support_rule_in_force_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(valid_to__isnull=False),
                name="support_rule_superseded_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(status="example") | Q(valid_from__isnull=True),
                name="support_rule_example_never_in_force",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ceiling") | Q(max_percent__isnull=False) | Q(cap_vnd__isnull=False),
                name="support_rule_ceiling_has_bound",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.label or self.case_description}"

    @property
    def verification_note(self):
        """What every page that cites a rule still to be checked against the original text says
        beside it (the national levels were read from secondary sources, domain.md §3)."""
        if not self.to_verify:
            return ""
        return _("mức đọc từ nguồn thứ cấp, đang chờ đối chiếu với Thông tư 64/2024/TT-BTC")

    def is_in_force_on(self, day):
        return (
            self.status in self.APPLICABLE_STATUSES
            and self.valid_from is not None
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class SelectionRound(models.Model):
    """A round of selecting typical rural industrial products (bình chọn sản phẩm CNNT tiêu biểu,
    TT 26/2014/TT-BCT as amended), recorded by its year and its recognition decision. The
    selection-rounds target counts these rounds, never the projects that paid for them: one round
    may be paid by two projects, and a logo-printing project is not a round."""

    class Level(models.TextChoices):
        PROVINCIAL = "provincial", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="selection_rounds")
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices, default=Level.PROVINCIAL)
    year = models.PositiveSmallIntegerField(_("năm bình chọn"))
    recognition_decision = models.CharField(_("số quyết định công nhận"), max_length=100)
    recognition_date = models.DateField(_("ngày quyết định công nhận"))
    products_recognised = models.PositiveIntegerField(_("số sản phẩm được công nhận"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("kỳ bình chọn sản phẩm CNNT tiêu biểu")
        verbose_name_plural = _("kỳ bình chọn sản phẩm CNNT tiêu biểu")
        ordering = ["programme", "-year", "recognition_decision"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "level", "year", "recognition_decision"],
                name="selection_round_unique",
                violation_error_message=_("Kỳ bình chọn này (năm và quyết định công nhận) đã được ghi."),
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.year} ({self.recognition_decision})"


class DecisionIssuer(models.Model):
    """Who may issue the decision approving a đề án of a lead fund: KCQG đề án are approved by the
    Minister of Industry and Trade (NĐ 45/2012/NĐ-CP as amended by NĐ 235/2025/NĐ-CP; TT 36/2013/TT-BCT);
    KCĐP plans and đề án by the Chairman of the provincial People's Committee, or by the Sở Công
    Thương where the provincial rules delegate it. The Sở records a decision; it issues one only by
    delegation. Data, because the delegation is the province's choice: one row per allowed issuer."""

    class Issuer(models.TextChoices):
        MINISTRY = "ministry", _("Bộ Công Thương (Bộ trưởng)")
        PROVINCE_CHAIR = "province_chair", _("Chủ tịch UBND tỉnh")
        DEPARTMENT = "department", _("Sở Công Thương (theo ủy quyền)")

    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.CASCADE,
        related_name="decision_issuers",
        limit_choices_to={"can_lead": True},
        verbose_name=_("nguồn kinh phí chủ trì"),
    )
    issuer = models.CharField(_("cơ quan ban hành quyết định"), max_length=20, choices=Issuer.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)

    history = HistoricalRecords(verbose_name=_("lịch sử cơ quan ban hành quyết định"))

    class Meta:
        verbose_name = _("cơ quan ban hành quyết định phê duyệt")
        verbose_name_plural = _("cơ quan ban hành quyết định phê duyệt")
        ordering = ["funding_source__sort_order", "issuer"]
        constraints = [
            models.UniqueConstraint(fields=["funding_source", "issuer"], name="decision_issuer_unique"),
            models.CheckConstraint(
                condition=Q(issuer__in=["ministry", "province_chair", "department"]),
                name="decision_issuer_valid",
            ),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="decision_issuer_has_legal_basis"),
        ]

    def __str__(self):
        return f"{self.funding_source}: {self.get_issuer_display()}"


class PlanExceedRule(models.TextChoices):
    """What a đề án's approval does when it would commit more than its plan item plans (issue 12)."""

    WARN = "warn", _("Cảnh báo, vẫn cho phê duyệt")
    REFUSE = "refuse", _("Không cho phê duyệt")


class ApprovalRules(models.Model):
    """How a đề án is appraised and approved, where the province may choose: one row, edited by
    staff in the admin.

    `appraiser_not_preparer`: the officer who appraises (thẩm định, TT 36/2013/TT-BCT: phiếu thẩm
    định 4a/4b) is not one who prepared the dossier: the user who created the đề án or who last
    submitted it (projects.services.steps.preparers). On by default; a province that lets one
    officer do both turns it off here, with the reason in `legal_basis`."""

    appraiser_not_preparer = models.BooleanField(
        _("người thẩm định không được là người lập đề án"),
        default=True,
        help_text=_("Người lập là người tạo đề án hoặc người trình thẩm định lần gần nhất."),
    )
    legal_basis = models.CharField(
        _("căn cứ"),
        max_length=300,
        default="TT 36/2013/TT-BCT (thẩm định đề án, phiếu thẩm định Mẫu 4a/4b); quy chế kiểm soát nội bộ của Sở",
    )

    # Annual plans (issue 12): approving a đề án beyond its plan item warns (default) or is refused.
    plan_exceed = models.CharField(
        _("khi phê duyệt vượt mục kế hoạch"),
        max_length=10,
        choices=PlanExceedRule.choices,
        default=PlanExceedRule.WARN,
    )

    history = HistoricalRecords(verbose_name=_("lịch sử quy định thẩm định, phê duyệt"))

    class Meta:
        verbose_name = _("quy định thẩm định, phê duyệt đề án")
        verbose_name_plural = _("quy định thẩm định, phê duyệt đề án")

    def __str__(self):
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first() or cls()


class Collaborator(models.Model):
    """A khuyến công collaborator (cộng tác viên), one per xã/phường (decision III.6.đ)."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="collaborators",
        verbose_name=_("xã, phường"),
    )
    position = models.CharField(_("chức vụ, nơi công tác"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("email"), blank=True)
    appointment_decision = models.CharField(_("quyết định công nhận"), max_length=100, blank=True)
    appointed_on = models.DateField(_("ngày bắt đầu"))
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    end_reason = models.CharField(_("lý do kết thúc"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)  # core.concurrency

    class Meta:
        verbose_name = _("cộng tác viên khuyến công")
        verbose_name_plural = _("cộng tác viên khuyến công")
        ordering = ["commune__sort_key", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(appointed_on__lte=F("ended_on")),
                name="collaborator_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.commune})"


class ReportingUnit(models.Model):
    """A unit that reports its yearly results (decision VI.7.a): every xã/phường and the partner
    departments and organisations. Its members are the officials who report for it; a commune
    official's scope (read its commune's applicants and projects) comes from here. It lives in the
    frame, not in `reports`, because applicants and projects scope their reads by it."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("UBND xã, phường")
        DEPARTMENT = "department", _("Sở, ngành")
        ORGANISATION = "organisation", _("Tổ chức, hiệp hội")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    commune = models.OneToOneField(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reporting_unit",
        verbose_name=_("xã, phường"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reporting_units", verbose_name=_("cán bộ báo cáo")
    )
    is_active = models.BooleanField(_("phải báo cáo"), default=True)
    # core.text.sort_key of the commune's own name (Phố Hiến, not "UBND Phường…"), or of the unit's
    # name for a department or organisation: communes first (by kind), each group in Vietnamese order.
    sort_key = models.CharField(editable=False, max_length=600, default="", db_index=True)

    class Meta:
        verbose_name = _("đơn vị báo cáo")
        verbose_name_plural = _("đơn vị báo cáo")
        ordering = ["kind", "sort_key", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="commune", commune__isnull=False)
                | (~Q(kind="commune") & Q(commune__isnull=True)),
                name="reporting_unit_commune_iff_kind",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = sort_key(self.commune.name if self.commune_id else self.name)
        super().save(*args, **kwargs)


class IndicatorPrefill(models.TextChoices):
    """The computations that propose a unit-report figure from the portal's own data (see Indicator)."""

    NONE = "none", _("Đơn vị tự nhập")
    TRAINING_CLASSES = "training_classes", _("Số lớp trong kết quả của đề án 1a, 1b")
    TRAINEES = "trainees", _("Số học viên trong kết quả của đề án 1a, 1b")
    DEMO_MODELS = "demo_models", _("Đề án 2a đã nghiệm thu hoặc quyết toán")
    MACHINERY_FACILITIES = "machinery_facilities", _("Cơ sở thụ hưởng đề án 2b đã nghiệm thu")
    DIGITAL_FACILITIES = "digital_facilities", _("Cơ sở thụ hưởng đề án 2c")
    TREATMENT_FACILITIES = "treatment_facilities", _("Cơ sở thụ hưởng đề án 2d")
    CLEANER_PRODUCTION = "cleaner_production", _("Đề án 2đ")
    PRODUCTS_ENTERED = "products_entered", _("Sản phẩm tham gia bình chọn trong kết quả đề án 3a")
    PRODUCTS_RECOGNISED = "products_recognised", _("Sản phẩm được công nhận trong kết quả đề án 3a")
    FAIRS = "fairs", _("Đề án 3b")
    FAIR_PARTICIPANTS = "fair_participants", _("Lượt cơ sở tham gia trong kết quả đề án 3b")
    TRADEMARKS = "trademarks", _("Cơ sở thụ hưởng đề án 3c nhãn hiệu đã nghiệm thu")
    SHOWROOMS = "showrooms", _("Đề án 3c phòng trưng bày")
    DIGITAL_STORES = "digital_stores", _("Đề án 3d")
    ARTISANS = "artisans", _("Đề án 3đ và nghệ nhân đăng ký tại xã")
    CLUSTER_PROMOTION = "cluster_promotion", _("Đề án 4a")
    CLUSTER_TREATMENT = "cluster_treatment", _("Đề án 4b")
    MEDIA = "media", _("Đề án 5a")
    CONSULTATIONS = "consultations", _("Đề án 5c")
    COLLABORATORS = "collaborators", _("Cộng tác viên khuyến công của xã")
    KCQG_SUPPORT = "kcqg_support", _("Kinh phí KCQG đã giải ngân của đề án")
    KCDP_SUPPORT = "kcdp_support", _("Kinh phí KCĐP đã giải ngân của đề án")
    COUNTERPART = "counterpart", _("Vốn đối ứng của đề án")
    OTHER_SOURCES = "other_sources", _("Nguồn khác của đề án")


class Indicator(models.Model):
    """An indicator of a unit's yearly report (decision VI.7.a: communes and partner departments
    report their results each year). Staff edit the list; `prefill` names the computation over
    the portal's own data that proposes the figure, as `Target.measure` does, and `reports`
    implements it (the frame never imports the apps built on it). The unit confirms or corrects
    a pre-filled figure; with `none` the unit types it."""

    Prefill = IndicatorPrefill

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    label = models.CharField(_("chỉ tiêu"), max_length=300)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    content_area = models.PositiveSmallIntegerField(
        _("nội dung chương trình"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("Số của nội dung (mục III của quyết định); để trống với chỉ tiêu kinh phí, lao động."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    prefill = models.CharField(
        _("lấy số liệu từ"), max_length=40, choices=Prefill.choices, default=Prefill.NONE
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu báo cáo của đơn vị")
        verbose_name_plural = _("chỉ tiêu báo cáo của đơn vị")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(prefill__in=IndicatorPrefill.values),
                name="indicator_prefill_valid",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.unit})"


# --- Annual plans (issue 12) -------------------------------------------------------------------


def kcqg_reminder_default() -> list[int]:
    """The days before each KCQG deadline on which staff are reminded (PlanCalendar)."""
    return [14, 7, 1]


class PlanCalendar(models.Model):
    """The plan's calendar, as data (one row, edited by staff in the admin): the KCQG
    dossiers go to the Sở before 20/05 and to the ministry's department before 15/06 of the year
    before the plan year (TT 36/2013/TT-BCT Điều 10). Staff are reminded `kcqg_reminder_offsets`
    days before each of them while the KCQG plan of the next year is not submitted
    (programmes.reminders, a daily job)."""

    province_deadline_month = models.PositiveSmallIntegerField(
        _("tháng hạn gửi hồ sơ về Sở"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    province_deadline_day = models.PositiveSmallIntegerField(
        _("ngày hạn gửi hồ sơ về Sở"), default=20, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    ministry_deadline_month = models.PositiveSmallIntegerField(
        _("tháng hạn gửi Bộ Công Thương"), default=6, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    ministry_deadline_day = models.PositiveSmallIntegerField(
        _("ngày hạn gửi Bộ Công Thương"), default=15, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    calendar_legal_basis = models.CharField(
        _("căn cứ lịch xây dựng kế hoạch"), max_length=300, default="TT 36/2013/TT-BCT Điều 10"
    )
    kcqg_reminder_offsets = models.JSONField(
        _("nhắc hạn kế hoạch KCQG trước hạn (ngày)"),
        default=kcqg_reminder_default,
        blank=True,
        help_text=_("Số ngày trước mỗi hạn gửi hồ sơ kế hoạch KCQG (mặc định 14, 7 và 1)."),
    )

    history = HistoricalRecords(verbose_name=_("lịch sử lịch xây dựng kế hoạch khuyến công"))

    class Meta:
        verbose_name = _("lịch xây dựng kế hoạch khuyến công")
        verbose_name_plural = _("lịch xây dựng kế hoạch khuyến công")

    def __str__(self):
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    def clean(self):
        offsets = self.kcqg_reminder_offsets
        if not isinstance(offsets, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 90 for n in offsets
        ):
            raise ValidationError(
                {"kcqg_reminder_offsets": _("Ngày nhắc hạn là các số nguyên từ 0 đến 90, ví dụ 14, 7, 1.")}
            )

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first() or cls()

    def kcqg_deadlines(self, plan_year: int) -> dict:
        """The KCQG calendar of the plan of `plan_year`: the days of the year before."""
        import datetime

        before = plan_year - 1
        return {
            "province": datetime.date(before, self.province_deadline_month, self.province_deadline_day),
            "ministry": datetime.date(before, self.ministry_deadline_month, self.ministry_deadline_day),
        }


class AnnualPlan(models.Model):
    """The yearly khuyến công plan of one funding source (a KCQG plan, a KCĐP plan; decision VI.1.b).
    An adjustment after approval is a new version (`revision` + 1, `previous` the version it
    adjusts) that goes through the same steps and records its own decision; every version stays.
    The plan in force for a year and source is its approved version of the highest revision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã trình")
        APPROVED = "approved", _("Đã phê duyệt")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="annual_plans", verbose_name=_("chương trình")
    )
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    funding_source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        related_name="annual_plans",
        limit_choices_to={"can_lead": True},
        verbose_name=_("nguồn kinh phí"),
    )
    revision = models.PositiveSmallIntegerField(_("lần điều chỉnh"), default=0)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment",
        verbose_name=_("phiên bản được điều chỉnh"),
    )
    adjustment_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định phê duyệt"), null=True, blank=True)
    issuer = models.CharField(
        _("cơ quan ban hành quyết định"), max_length=20, choices=DecisionIssuer.Issuer.choices, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Optimistic locking (core.concurrency): every change of the plan or its items bumps it, and a
    # form opened on an older version is refused (two officers editing one plan, or a leader
    # approving items that changed after the page was opened).
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(verbose_name=_("lịch sử thay đổi kế hoạch"))  # core.audit

    class Meta:
        verbose_name = _("kế hoạch khuyến công hằng năm")
        verbose_name_plural = _("kế hoạch khuyến công hằng năm")
        ordering = ["-year", "funding_source__sort_order", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "funding_source", "revision"],
                name="annual_plan_version_unique",
                violation_error_message=_("Kế hoạch của năm và nguồn này đã có phiên bản này."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved"]), name="annual_plan_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (~Q(decision_number="") & Q(decision_date__isnull=False) & ~Q(issuer="")),
                name="annual_plan_approved_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(revision=0, previous__isnull=True) | Q(revision__gt=0, previous__isnull=False),
                name="annual_plan_revision_has_previous",
            ),
        ]

    def __str__(self):
        text = _("Kế hoạch %(source)s năm %(year)s") % {
            "source": self.funding_source.short_name,
            "year": self.year,
        }
        if self.revision:
            text += " " + _("(điều chỉnh lần %(n)s)") % {"n": self.revision}
        return text

    def audit_histories(self):
        """The audit trail (core.audit) of a plan: its own changes and its items'."""
        return [self.history.all(), PlanItem.history.filter(plan_id=self.pk)]


class AnnualPlanEvent(models.Model):
    """An immutable row of a plan's history (programmes.plans_workflow.STEPS)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("ý kiến"), blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuer = models.CharField(
        _("cơ quan ban hành quyết định"), max_length=20, choices=DecisionIssuer.Issuer.choices, blank=True
    )

    class Meta:
        verbose_name = _("lịch sử kế hoạch")
        verbose_name_plural = _("lịch sử kế hoạch")
        ordering = ["plan", "at", "id"]

    def __str__(self):
        return f"{self.plan}: {self.step}"


class PlanItem(models.Model):
    """One line of a plan: one activity type and variant in the plan's year, with its planned
    quantity and unit, planned state support (of the plan's source) and expected counterpart, and
    optionally the communes or beneficiaries foreseen. `line` (the STT) stays the same across the
    plan's versions: what was committed on a line is compared with the line of the plan in force.
    A multi-year đề án (đề án điểm) has an item in the plan of each year it spends money."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("kế hoạch")
    )
    line = models.PositiveSmallIntegerField(_("số thứ tự"))
    activity = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("hoạt động")
    )
    variant = models.ForeignKey(
        ActivityVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name=_("trường hợp"),
    )
    label = models.CharField(_("nội dung"), max_length=400, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    planned_quantity = models.PositiveIntegerField(_("số lượng dự kiến"), default=0)
    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    planned_support = models.BigIntegerField(_("kinh phí hỗ trợ dự kiến (đồng)"), default=0)
    expected_counterpart = models.BigIntegerField(_("vốn đối ứng dự kiến (đồng)"), default=0)
    communes = models.ManyToManyField(
        AdministrativeUnit, blank=True, related_name="plan_items", verbose_name=_("xã, phường dự kiến")
    )
    beneficiaries_foreseen = models.TextField(_("đối tượng thụ hưởng dự kiến"), blank=True)
    history = HistoricalRecords(verbose_name=_("lịch sử thay đổi mục kế hoạch"))  # core.audit
    AUDIT_SUBJECT = "line"  # "mục kế hoạch 3" on the plan's trail

    class Meta:
        verbose_name = _("mục kế hoạch")
        verbose_name_plural = _("mục kế hoạch")
        ordering = ["plan", "line"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "line"], name="plan_item_line_unique"),
            models.CheckConstraint(
                condition=Q(planned_support__gte=0), name="plan_item_support_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(expected_counterpart__gte=0), name="plan_item_counterpart_non_negative"
            ),
        ]

    def __str__(self):
        variant = f" ({self.variant.label})" if self.variant_id else ""
        return f"{self.line}. {self.activity.code}{variant} {self.label}".strip()
