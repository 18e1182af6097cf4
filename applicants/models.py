"""Applicants (every kind of beneficiary), artisan titles, support requests and their history."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit


class Applicant(models.Model):
    """A rural industrial facility, cooperative, household business, craft village, artisan,
    cluster investor… that may receive support (NĐ 45/2012/NĐ-CP Điều 1 khoản 2, as amended by
    NĐ 235/2025/NĐ-CP)."""

    class Kind(models.TextChoices):
        SME = "sme", _("Doanh nghiệp nhỏ và vừa")
        COOPERATIVE = "cooperative", _("Hợp tác xã")
        COOPERATIVE_UNION = "cooperative_union", _("Liên hiệp hợp tác xã")
        COOPERATIVE_GROUP = "cooperative_group", _("Tổ hợp tác")
        HOUSEHOLD = "household", _("Hộ kinh doanh")
        CRAFT_VILLAGE = "craft_village", _("Làng nghề")
        ARTISAN = "artisan", _("Nghệ nhân")
        CLUSTER_INVESTOR = "cluster_investor", _("Chủ đầu tư hạ tầng cụm công nghiệp")
        CLEANER_PRODUCTION = "cleaner_production", _("Cơ sở áp dụng sản xuất sạch hơn")
        SERVICE_ORG = "service_org", _("Tổ chức, cá nhân cung cấp dịch vụ khuyến công")
        OTHER = "other", _("Khác")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Chờ xác minh")
        VERIFIED = "verified", _("Đã xác minh")
        CHANGES_REQUESTED = "changes_requested", _("Cần bổ sung")
        REJECTED = "rejected", _("Không được xác minh")

    class SectorGroup(models.TextChoices):
        INDUSTRY = "industry", _("Công nghiệp và xây dựng")
        TRADE = "trade", _("Thương mại và dịch vụ")

    kind = models.CharField(_("loại hình"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("tên cơ sở"), max_length=300)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True, null=True, blank=True)
    registration_number = models.CharField(
        _("số đăng ký kinh doanh"), max_length=30, unique=True, null=True, blank=True
    )
    representative = models.CharField(_("người đại diện"), max_length=150)
    representative_title = models.CharField(_("chức vụ"), max_length=100, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300)
    commune = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="applicants", verbose_name=_("xã, phường")
    )
    sector = models.CharField(_("ngành nghề sản xuất"), max_length=200, blank=True)
    sector_group = models.CharField(
        _("lĩnh vực"), max_length=20, choices=SectorGroup.choices, default=SectorGroup.INDUSTRY
    )
    founded_year = models.PositiveSmallIntegerField(_("năm thành lập"), null=True, blank=True)
    insured_employees = models.PositiveIntegerField(_("số lao động tham gia BHXH"), null=True, blank=True)
    revenue_vnd = models.BigIntegerField(
        _("doanh thu năm (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    capital_vnd = models.BigIntegerField(
        _("tổng nguồn vốn (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    verification_status = models.CharField(
        _("tình trạng xác minh"), max_length=20, choices=Verification.choices, default=Verification.PENDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_applicants",
        verbose_name=_("tài khoản chủ"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="applicants",
        verbose_name=_("tài khoản thành viên"),
    )
    entered_by_staff = models.BooleanField(_("cán bộ nhập hồ sơ giấy"), default=False)
    possible_duplicate = models.BooleanField(
        _("có thể trùng"),
        default=False,
        help_text=_("Cùng tên với một cơ sở khác trong cùng xã, phường: cán bộ cần kiểm tra."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    privacy_consent_at = models.DateTimeField(_("đồng ý xử lý dữ liệu cá nhân lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(editable=False, max_length=600, default="", db_index=True)
    # The audit trail (core.audit): who changed what and when, shown to staff on the page.
    history = HistoricalRecords(
        verbose_name=_("lịch sử thay đổi cơ sở"), excluded_fields=["search_text", "sort_key"]
    )

    class Meta:
        verbose_name = _("cơ sở")
        verbose_name_plural = _("cơ sở")
        ordering = ["sort_key", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revenue_vnd__isnull=True) | Q(revenue_vnd__gte=0),
                name="applicant_revenue_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(capital_vnd__isnull=True) | Q(capital_vnd__gte=0),
                name="applicant_capital_non_negative",
            ),
        ]

    def __str__(self):
        return self.name

    # Kinds that may use the 12-digit personal identification number as their tax code.
    PERSONAL_KINDS = frozenset({Kind.HOUSEHOLD, Kind.ARTISAN, Kind.OTHER, Kind.SERVICE_ORG})
    # The beneficiary categories of QĐ 1966/QĐ-UBND mục II.2 (a–đ), derived from the kind.
    CATEGORY_BY_KIND = {
        Kind.SME: "a",
        Kind.COOPERATIVE: "a",
        Kind.COOPERATIVE_UNION: "a",
        Kind.COOPERATIVE_GROUP: "a",
        Kind.HOUSEHOLD: "a",
        Kind.CRAFT_VILLAGE: "a",
        Kind.CLEANER_PRODUCTION: "b",
        Kind.CLUSTER_INVESTOR: "b",
        Kind.ARTISAN: "c",
        Kind.SERVICE_ORG: "d",
        Kind.OTHER: "đ",
    }
    IDENTITY_FIELDS = ("kind", "name", "tax_code", "registration_number", "representative")
    # Personal data the audit trail hides from whoever may not see it (NĐ 13/2023/NĐ-CP).
    PERSONAL_FIELDS = frozenset({"phone", "email", "address"})

    @classmethod
    def is_personal_value(cls, name, value):
        """Phones, e-mail, addresses, and a tax code that is a 12-digit personal ID number."""
        if name == "tax_code":
            return bool(value) and len(value) == 12 and value.isdigit()
        return name in cls.PERSONAL_FIELDS

    @property
    def beneficiary_category(self):
        """Letter a–đ of the programme's beneficiaries (QĐ 1966/QĐ-UBND mục II.2)."""
        return self.CATEGORY_BY_KIND.get(self.kind, "đ")

    @property
    def sme_class(self):
        """The size class of Nghị định 80/2021/NĐ-CP Điều 5 from the self-declared figures:
        "micro", "small", "medium", "large", or None when the figures are missing."""
        from .sizing import sme_class

        return sme_class(
            sector_group=self.sector_group,
            employees=self.insured_employees,
            revenue=self.revenue_vnd,
            capital=self.capital_vnd,
        )

    @property
    def sme_class_label(self):
        from .sizing import SME_LABELS

        return SME_LABELS.get(self.sme_class, _("Chưa đủ số liệu để xác định"))

    @property
    def tax_code_is_personal_id(self):
        return bool(self.tax_code) and len(self.tax_code) == 12 and self.tax_code.isdigit()

    @property
    def is_verified(self):
        return self.verification_status == self.Verification.VERIFIED

    @property
    def last_review(self):
        reviews = list(self.reviews.all())
        return reviews[-1] if reviews else None

    def users(self):
        """Owner and members: the people told about this applicant."""
        people = list(self.members.all())
        if self.owner_id and self.owner not in people:
            people.insert(0, self.owner)
        return people


class ApplicantReview(models.Model):
    """An immutable step in an applicant's verification: who decided, when, what and why."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("Gửi hồ sơ")
        RESUBMITTED = "resubmitted", _("Gửi lại sau khi bổ sung")
        VERIFIED = "verified", _("Xác minh")
        REJECTED = "rejected", _("Từ chối")
        CHANGES_REQUESTED = "changes_requested", _("Yêu cầu bổ sung")
        EDITED_BY_STAFF = "edited_by_staff", _("Cán bộ sửa thông tin")
        REVERIFY = "reverify", _("Sửa sau khi xác minh: chờ xác minh lại")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("quyết định"), max_length=20, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("bước xác minh cơ sở")
        verbose_name_plural = _("bước xác minh cơ sở")
        ordering = ["at", "id"]

    def __str__(self):
        return self.get_decision_display()


class ArtisanTitle(models.Model):
    """A title conferred under NĐ 43/2024/NĐ-CP (every three years, on 2 September)."""

    class Title(models.TextChoices):
        MERITORIOUS = "uu_tu", _("Nghệ nhân ưu tú")
        PEOPLES = "nhan_dan", _("Nghệ nhân nhân dân")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="artisan_titles")
    title = models.CharField(_("danh hiệu"), max_length=20, choices=Title.choices)
    year = models.PositiveSmallIntegerField(_("năm được phong tặng"))
    craft = models.CharField(_("nghề"), max_length=200)
    decision = models.CharField(_("quyết định phong tặng"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("danh hiệu nghệ nhân")
        verbose_name_plural = _("danh hiệu nghệ nhân")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.get_title_display()} ({self.year})"


class SupportRequest(models.Model):
    """An applicant's request for support in a year for an activity of the catalogue. It gets a
    public tracking code at submission; staff accept it (it may then become a project), decline it,
    or return it for more information."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Cần bổ sung")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        DECLINED = "declined", _("Không chấp nhận")

    code = models.CharField(_("mã theo dõi"), max_length=20, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="support_requests", verbose_name=_("cơ sở")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    activity = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="support_requests", verbose_name=_("hoạt động")
    )
    variant = models.ForeignKey(
        ActivityVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name=_("trường hợp"),
    )
    title = models.CharField(_("tên nội dung đề nghị"), max_length=300)
    description = models.TextField(_("nhu cầu hỗ trợ"))
    estimated_cost = models.BigIntegerField(
        _("tổng kinh phí dự kiến (đồng)"), validators=[MinValueValidator(0)]
    )
    counterpart = models.BigIntegerField(_("vốn đối ứng cam kết (đồng)"), validators=[MinValueValidator(0)])
    requested_support = models.BigIntegerField(
        _("kinh phí đề nghị hỗ trợ (đồng)"), validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    entered_by_staff = models.BooleanField(_("cán bộ nhập hồ sơ giấy"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    submitted_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("đề nghị hỗ trợ")
        verbose_name_plural = _("đề nghị hỗ trợ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="request_cost_non_negative"),
            models.CheckConstraint(condition=Q(counterpart__gte=0), name="request_counterpart_non_negative"),
            models.CheckConstraint(
                condition=Q(requested_support__gte=0), name="request_support_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(requested_support__lte=models.F("estimated_cost")),
                name="request_support_within_cost",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(code__isnull=False), name="request_submitted_has_code"
            ),
        ]

    def __str__(self):
        return self.code or self.title

    @property
    def last_event(self):
        events = list(self.events.all())
        return events[-1] if events else None


class SupportRequestEvent(models.Model):
    """An immutable step in a request's history: who moved it, when, from what to what, and why."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True, choices=SupportRequest.Status.choices)
    to_status = models.CharField(max_length=20, choices=SupportRequest.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("bước xử lý đề nghị")
        verbose_name_plural = _("bước xử lý đề nghị")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class MemberInvitation(models.Model):
    """The owner of an applicant invites a person by phone or email; nothing changes until that
    person, signed in with an account holding that contact, accepts. The owner learns nothing
    about whether such an account exists (issue 10: the member-add was an account oracle)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ trả lời")
        ACCEPTED = "accepted", _("Đã chấp nhận")
        DECLINED = "declined", _("Đã từ chối")
        CANCELLED = "cancelled", _("Đã hủy")

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cơ sở")
    )
    contact = models.CharField(_("số điện thoại hoặc email"), max_length=254)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ngày mời"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)

    class Meta:
        verbose_name = _("lời mời thành viên")
        verbose_name_plural = _("lời mời thành viên")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "contact"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_contact",
            )
        ]

    def __str__(self):
        return f"{self.applicant} ← {self.contact}"


class NoOtherSupportDeclaration(models.Model):
    """The beneficiary's declaration that the cost items of its support for an activity in a year
    receive no other state support (TTLT 26/2014/TTLT-BTC-BCT Điều 7.4, carried into
    TT 28/2018/TT-BTC): kept with its date and who declared it. A project cannot be submitted for
    a beneficiary without one for the project's year and activity."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("cơ sở")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    activity = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("hoạt động")
    )
    support_request = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("đề nghị hỗ trợ"),
    )
    statement = models.TextField(_("nội dung cam kết"))
    on_paper = models.BooleanField(_("cam kết bằng giấy, cán bộ ghi nhận"), default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("ngày cam kết"), default=timezone.now)

    class Meta:
        verbose_name = _("cam kết không nhận hỗ trợ khác")
        verbose_name_plural = _("cam kết không nhận hỗ trợ khác")
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["applicant", "year", "activity"], name="declaration_lookup")]

    def __str__(self):
        return f"{self.applicant} {self.year} {self.activity_id}"


class PrivacyNotice(models.Model):
    """A version of the privacy notice (NĐ 13/2023/NĐ-CP Điều 13; Luật Bảo vệ dữ liệu cá nhân
    2025): the registration page shows the one in force, and every consent records its version."""

    version = models.CharField(_("phiên bản"), max_length=20, unique=True)
    text = models.TextField(_("nội dung thông báo"))
    valid_from = models.DateField(_("áp dụng từ ngày"))
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    class Meta:
        verbose_name = _("thông báo xử lý dữ liệu cá nhân")
        verbose_name_plural = _("thông báo xử lý dữ liệu cá nhân")
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return f"{self.version} ({self.valid_from:%d/%m/%Y})"


class PrivacyConsent(models.Model):
    """A consent to a version of the notice: given on the registration page, or on paper (signed,
    recorded by the staff member who entered the dossier); withdrawn as easily as given."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="consents", verbose_name=_("cơ sở")
    )
    notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("phiên bản thông báo"),
    )
    on_paper = models.BooleanField(_("bản đồng ý bằng giấy đã ký"), default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_at = models.DateTimeField(_("đồng ý lúc"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sự đồng ý xử lý dữ liệu cá nhân")
        verbose_name_plural = _("sự đồng ý xử lý dữ liệu cá nhân")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.applicant} — {self.notice.version}"

    @property
    def is_active(self):
        return self.withdrawn_at is None
