"""Applicant profiles: self-registration, paper dossiers entered by staff, and edits."""

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role, is_staff_like
from accounts.selectors import staff_and_leaders
from accounts.services import account_create, temporary_password_generate
from core import throttle
from core.concurrency import save_versioned
from core.text import clean_text, fold, search_text, sort_key
from core.validators import normalize_phone

from ..models import Applicant, ApplicantReview, ArtisanTitle
from ..validators import normalize_tax_code, validate_tax_code
from .privacy import privacy_consent_record

CONTACT_DEPARTMENT = _(
    "Nếu đây là cơ sở của bạn, vui lòng liên hệ Trung tâm Khuyến công (Sở Công Thương) để được hỗ trợ."
)
TEXT_FIELDS = (
    "name",
    "registration_number",
    "representative",
    "representative_title",
    "address",
    "sector",
)


@functools.lru_cache(maxsize=64)
def _kind_words_in(kind, language):
    return fold(str(dict(Applicant.Kind.choices).get(kind, "")))


def _kind_words(kind):
    """The folded label of a kind (cached: imports prepare thousands of rows)."""
    return _kind_words_in(kind, get_language())


NON_NEGATIVE_FIELDS = ("insured_employees", "revenue_vnd", "capital_vnd")


def _check_plain_fields(applicant):
    """The tax code for the kind, the email and the figures, in plain Vietnamese (Django's own
    messages read "Nhập địa chỉ email." and "… lớn hơn hoặc bằng với 0 ." in an import)."""
    errors = {}
    if applicant.tax_code:
        try:
            validate_tax_code(
                applicant.tax_code, allow_personal_id=applicant.kind in Applicant.PERSONAL_KINDS
            )
        except ValidationError as error:
            errors["tax_code"] = error.error_list
    if applicant.email:
        try:
            validate_email(applicant.email)
        except ValidationError:
            errors["email"] = [
                ValidationError(
                    _("Email “%(v)s” không đúng dạng, ví dụ đúng: tenban@gmail.com.")
                    % {"v": applicant.email},
                    code="invalid",
                )
            ]
    for name in NON_NEGATIVE_FIELDS:
        value = getattr(applicant, name)
        if isinstance(value, int) and value < 0:
            errors[name] = [ValidationError(_("Số này không được âm."), code="negative")]
    if errors:
        raise ValidationError(errors)


def applicant_prepare(applicant: Applicant) -> Applicant:
    """Normalise the text of `applicant`, validate its tax code for its kind and refresh its search
    and sort columns. Raises ValidationError (a dict by field)."""
    for name in TEXT_FIELDS:
        setattr(applicant, name, clean_text(getattr(applicant, name)))
    applicant.email = clean_text(applicant.email).lower()
    applicant.phone = normalize_phone(applicant.phone)
    applicant.tax_code = normalize_tax_code(applicant.tax_code) or None
    applicant.registration_number = applicant.registration_number or None
    _check_plain_fields(applicant)
    applicant.search_text = search_text(
        applicant.name,
        applicant.representative,
        applicant.tax_code,
        applicant.registration_number,
        applicant.phone,
        applicant.address,
        applicant.sector,
    )
    applicant.search_text = f"{applicant.search_text} {_kind_words(applicant.kind)}".strip()
    applicant.sort_key = sort_key(applicant.name)
    return applicant


def _check_duplicates(applicant):
    """Same tax code or registration number: refused. Same name in the same commune: flagged."""
    others = Applicant.objects.exclude(pk=applicant.pk)
    errors = {}
    if applicant.tax_code and others.filter(tax_code=applicant.tax_code).exists():
        errors["tax_code"] = [
            ValidationError(_("Mã số thuế này đã được đăng ký.") + " " + CONTACT_DEPARTMENT, code="duplicate")
        ]
    if (
        applicant.registration_number
        and others.filter(registration_number=applicant.registration_number).exists()
    ):
        errors["registration_number"] = [
            ValidationError(_("Số đăng ký này đã được đăng ký.") + " " + CONTACT_DEPARTMENT, code="duplicate")
        ]
    if errors:
        raise ValidationError(errors)
    folded = fold(applicant.name)
    applicant.possible_duplicate = any(
        fold(name) == folded
        for name in others.filter(commune_id=applicant.commune_id).values_list("name", flat=True)
    )


def _save_artisan_title(applicant, title):
    if applicant.kind != Applicant.Kind.ARTISAN or not title or not title.get("title"):
        return
    item = ArtisanTitle(
        applicant=applicant,
        title=title["title"],
        year=title.get("year"),
        craft=clean_text(title.get("craft")),
        decision=clean_text(title.get("decision")),
    )
    item.full_clean()
    item.save()


# Registration attempts per hour (settings of the same names override them): per phone or email
# typed, so "đã tồn tại" cannot be asked of many numbers, and per address (offices share one).
REGISTRATION_CONTACT_LIMIT = 5
REGISTRATION_IP_LIMIT = 20
REGISTRATION_WINDOW = 3600  # seconds


def applicant_registration_allow(*, phone: str, email: str, ip: str) -> None:
    """Count one registration attempt, or refuse it (code "throttled") when the phone, the email
    or the address made too many in the hour: the form's "already exists" answer is no oracle to
    run over a list of numbers (issue 10 item 7)."""
    limit = functools.partial(getattr, settings)
    window = limit("REGISTRATION_WINDOW", REGISTRATION_WINDOW)
    keys = [(f"applicants:register:ip:{ip}", limit("REGISTRATION_IP_LIMIT", REGISTRATION_IP_LIMIT))]
    for contact in (normalize_phone(phone), fold(email)):
        if contact:
            digest = hashlib.sha256(contact.encode()).hexdigest()[:32]
            keys.append(
                (
                    f"applicants:register:contact:{digest}",
                    limit("REGISTRATION_CONTACT_LIMIT", REGISTRATION_CONTACT_LIMIT),
                )
            )
    allowed = [throttle.hit(key, limit=n, window=window) for key, n in keys]
    if not all(allowed):
        raise ValidationError(
            _(
                "Có quá nhiều lần đăng ký từ máy này hoặc với số điện thoại, email này. Vui lòng thử lại sau một giờ."
            ),
            code="throttled",
        )


@transaction.atomic
def applicant_register(
    *, applicant: Applicant, password: str, consent: bool, artisan_title: dict | None = None
) -> tuple[Applicant, User]:
    """Self-registration (phone first, email optional): the account and the profile in one step.
    The account works at once; the profile waits for verification. Consent to the privacy notice
    in force is required and recorded with its version (Nghị định 13/2023/NĐ-CP Điều 11)."""
    if not consent:
        raise ValidationError(
            {
                "consent": [
                    ValidationError(
                        _("Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để đăng ký."), code="consent"
                    )
                ]
            }
        )
    applicant_prepare(applicant)
    _check_duplicates(applicant)
    user = account_create(
        full_name=applicant.representative,
        phone=applicant.phone,
        email=applicant.email,
        password=password,
        roles=[Role.APPLICANT],
    )
    applicant.owner = user
    applicant.created_by = user
    applicant.privacy_consent_at = timezone.now()
    applicant.verification_status = Applicant.Verification.PENDING
    applicant.full_clean()
    applicant.save()
    applicant.members.add(user)
    privacy_consent_record(applicant=applicant, actor=user)
    _save_artisan_title(applicant, artisan_title)
    ApplicantReview.objects.create(
        applicant=applicant, decision=ApplicantReview.Decision.SUBMITTED, actor=user
    )
    notify(
        recipients=staff_and_leaders(),
        event=Event.APPLICANT_REGISTERED,
        title=_("Cơ sở đăng ký mới: %(name)s") % {"name": applicant.name},
        body=_("Hồ sơ đang chờ xác minh."),
        url=reverse("applicants:detail", args=[applicant.pk]),
        email=False,
    )
    return applicant, user


@dataclass
class StaffEntry:
    applicant: Applicant
    user: User | None
    password: str


@transaction.atomic
def applicant_enter_paper_dossier(
    *,
    actor: User,
    applicant: Applicant,
    create_account: bool,
    paper_consent: bool,
    artisan_title: dict | None = None,
) -> StaffEntry:
    """Staff enter a paper dossier on an applicant's behalf: marked as entered by staff, verified
    by the staff member who checked the papers, and (when asked) given an account with a one-time
    password that the person must change at first sign-in. The dossier must hold a signed paper
    consent to the notice in force (NĐ 13/2023/NĐ-CP Điều 11: consent in a form that can be
    proved), recorded with that version and the staff member who saw it."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới nhập được hồ sơ giấy."), code="forbidden")
    if not paper_consent:
        raise ValidationError(
            {
                "paper_consent": [
                    ValidationError(
                        _("Hồ sơ giấy phải có bản đồng ý xử lý dữ liệu cá nhân đã ký trước khi nhập."),
                        code="paper_consent",
                    )
                ]
            }
        )
    applicant_prepare(applicant)
    _check_duplicates(applicant)
    password = ""
    user = None
    if create_account:
        if not applicant.phone and not applicant.email:
            raise ValidationError(
                {
                    "phone": [
                        ValidationError(
                            _("Cần số điện thoại hoặc email để tạo tài khoản."), code="no_contact"
                        )
                    ]
                }
            )
        password = temporary_password_generate()
        user = account_create(
            full_name=applicant.representative,
            phone=applicant.phone,
            email=applicant.email,
            password=password,
            must_change_password=True,
            roles=[Role.APPLICANT],
        )
    applicant.owner = user
    applicant.entered_by_staff = True
    applicant.created_by = actor
    applicant.verification_status = Applicant.Verification.VERIFIED
    applicant.full_clean()
    applicant.save()
    if user:
        applicant.members.add(user)
    privacy_consent_record(applicant=applicant, actor=actor, on_paper=True)
    _save_artisan_title(applicant, artisan_title)
    ApplicantReview.objects.create(
        applicant=applicant,
        decision=ApplicantReview.Decision.VERIFIED,
        actor=actor,
        reason=_("Hồ sơ giấy do cán bộ nhập và đối chiếu."),
    )
    if user:
        notify(
            recipients=[user],
            event=Event.ACCOUNT_CREATED,
            title=_("Tài khoản của %(name)s đã được tạo") % {"name": applicant.name},
            body=_("Cán bộ Sở Công Thương đã nhập hồ sơ của cơ sở và tạo tài khoản cho bạn."),
            url=reverse("applicants:my_profile"),
        )
    return StaffEntry(applicant=applicant, user=user, password=password)


def _check_may_edit(*, stored: Applicant, staff: bool, locked: list) -> None:
    if not staff and stored.verification_status == Applicant.Verification.REJECTED:
        raise ValidationError(
            _("Hồ sơ đã bị từ chối, không sửa được. Vui lòng liên hệ Sở Công Thương."), code="rejected"
        )
    if stored.is_verified and not staff and locked:
        labels = ", ".join(str(Applicant._meta.get_field(n).verbose_name) for n in locked)
        raise ValidationError(
            _("Hồ sơ đã được xác minh: chỉ cán bộ Sở mới sửa được %(fields)s.") % {"fields": labels},
            code="identity_locked",
        )


# What decides a verified profile's eligibility besides its identity: the commune (the province's
# area, NĐ 45/2012/NĐ-CP Điều 1 khoản 2) and the size figures (class under NĐ 80/2021/NĐ-CP Điều 5).
# An applicant who changes one sends the profile back for verification; the old values are kept.
REVERIFY_FIELDS = ("commune", "sector_group", "insured_employees", "revenue_vnd", "capital_vnd")


def _change_record(before, applicant):
    """'label: old → new' for each changed field, kept on the history row."""
    parts = []
    for name, old in before.items():
        label = Applicant._meta.get_field(name).verbose_name
        new = getattr(applicant, name)
        parts.append(f"{label}: {'—' if old is None else old} → {'—' if new is None else new}")
    return "; ".join(parts)


@transaction.atomic
def applicant_update(
    *, applicant: Applicant, actor: User, data: dict, expected_version: int | None
) -> Applicant:
    """Edit a profile. Once verified, identity fields (kind, name, tax code, registration number,
    representative) change only through staff, and a change of commune or size figures by the
    applicant sends it back for verification with the old values kept in its history. An applicant
    who edits after being asked for changes sends the profile back to the queue. The edit is refused (code "stale") unless it was made on
    the current version of the profile: a form without its version, or one opened before someone
    else saved, would silently undo their change."""
    staff = is_staff_like(actor)
    # Compare with the stored row: a bound ModelForm has already written its values on `applicant`.
    applicant = Applicant.objects.get(pk=applicant.pk)
    data = {name: (normalize_tax_code(v) or None) if name == "tax_code" else v for name, v in data.items()}
    changed = [name for name, value in data.items() if getattr(applicant, name) != value]
    locked = [n for n in changed if n in Applicant.IDENTITY_FIELDS]
    _check_may_edit(stored=applicant, staff=staff, locked=locked)
    before = {n: getattr(applicant, n) for n in changed if n in REVERIFY_FIELDS}  # for the history
    for name, value in data.items():
        setattr(applicant, name, value)
    applicant_prepare(applicant)
    if {"tax_code", "registration_number", "name", "commune"} & set(changed):
        _check_duplicates(applicant)
    fields = list(data) + ["search_text", "sort_key", "possible_duplicate", "phone", "email", "tax_code"]
    if not staff and applicant.is_verified and before:
        applicant.verification_status = Applicant.Verification.PENDING
        fields.append("verification_status")
        ApplicantReview.objects.create(
            applicant=applicant,
            decision=ApplicantReview.Decision.REVERIFY,
            actor=actor,
            reason=_change_record(before, applicant),
        )
    elif not staff and applicant.verification_status == Applicant.Verification.CHANGES_REQUESTED:
        applicant.verification_status = Applicant.Verification.PENDING
        fields.append("verification_status")
        ApplicantReview.objects.create(
            applicant=applicant, decision=ApplicantReview.Decision.RESUBMITTED, actor=actor
        )
    elif staff and locked:
        ApplicantReview.objects.create(
            applicant=applicant,
            decision=ApplicantReview.Decision.EDITED_BY_STAFF,
            actor=actor,
            reason=", ".join(locked),
        )
    applicant.full_clean()
    fields = list(dict.fromkeys(fields))
    try:
        save_versioned(applicant, expected_version=expected_version, fields=fields, user=actor)
    except IntegrityError:
        raise ValidationError(
            _("Mã số thuế hoặc số đăng ký đã được đăng ký.") + " " + CONTACT_DEPARTMENT, code="duplicate"
        ) from None
    return applicant
