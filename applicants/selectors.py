"""Reads of applicants and support requests, always scoped to the requesting user.

Staff and leaders see everything; a commune official sees (read-only) the applicants of its
communes; an applicant's members see their own applicant and requests; anyone else sees nothing.
A row outside the scope answers 404."""

from django.db.models import Q
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404

from accounts.roles import Role, has_role, is_staff_like
from core.listing import apply_search
from core.text import fold
from programmes.selectors import communes_of

from .models import Applicant, SupportRequest
from .validators import normalize_tax_code


def _own(user):
    return Q(owner=user) | Q(members=user)


def applicants_visible_to(user):
    if not user.is_authenticated:
        return Applicant.objects.none()
    if is_staff_like(user):
        return Applicant.objects.all()
    scope = Q(pk__in=[])
    if has_role(user, Role.APPLICANT):
        scope |= Q(pk__in=Applicant.objects.filter(_own(user)).values("pk"))
    if has_role(user, Role.UNIT_REPORTER):
        scope |= Q(commune__in=communes_of(user))
    return Applicant.objects.filter(scope)


def applicants_editable_by(user):
    """Staff edit any profile; an applicant only its own; commune officials and observers none."""
    if is_staff_like(user):
        return Applicant.objects.all()
    if has_role(user, Role.APPLICANT):
        return Applicant.objects.filter(pk__in=Applicant.objects.filter(_own(user)).values("pk"))
    return Applicant.objects.none()


def applicant_for(user, pk, *, edit=False):
    queryset = applicants_editable_by(user) if edit else applicants_visible_to(user)
    return get_object_or_404(queryset.select_related("commune", "owner"), pk=pk)


def applicant_members_for(user, pk):
    """The applicant whose member accounts `user` may manage: staff any, an applicant account only
    the one it owns (a plain member may not add others). Anything else answers 404."""
    if is_staff_like(user):
        queryset = Applicant.objects.all()
    elif has_role(user, Role.APPLICANT):
        queryset = Applicant.objects.filter(owner=user)
    else:
        queryset = Applicant.objects.none()
    return get_object_or_404(queryset.select_related("owner"), pk=pk)


def applicant_member_list(applicant):
    """The owner first, then the other members by name."""
    people = list(applicant.members.order_by("full_name", "id"))
    if applicant.owner_id and applicant.owner not in people:
        people.insert(0, applicant.owner)
    people.sort(key=lambda u: u.pk != applicant.owner_id)
    return people


def own_applicants(user):
    if not has_role(user, Role.APPLICANT):
        return Applicant.objects.none()
    return Applicant.objects.filter(pk__in=Applicant.objects.filter(_own(user)).values("pk")).select_related(
        "commune"
    )


def staff_applicant_list(user):
    """The staff / commune list with what its columns need (no query per row)."""
    return applicants_visible_to(user).select_related("commune")


def applicant_search_for(user):
    """The list search for `user`. Whoever may not see 12-digit personal ID numbers (commune
    officials) cannot find a row by a number that only its personal ID contains: otherwise typing
    "0340", "03408"… would reveal the ID digit by digit."""

    def search(queryset, query):
        queryset = apply_search(queryset, query)
        if is_staff_like(user):
            return queryset
        for word in fold(query).split():
            if not word.isdigit():
                continue
            elsewhere = Q()
            for name in ("name", "representative", "registration_number", "phone", "address", "sector"):
                elsewhere |= Q(**{f"{name}__contains": word})
            queryset = queryset.alias(tax_code_length=Length("tax_code")).filter(
                Q(tax_code__isnull=True) | ~Q(tax_code_length=12) | ~Q(tax_code__contains=word) | elsewhere
            )
        return queryset

    return search


def possible_duplicates_of(user, applicant):
    """Other applicants of the same commune whose name folds to the same text (what flagged
    `applicant.possible_duplicate`), for staff."""
    if not is_staff_like(user) or not applicant.possible_duplicate:
        return []
    folded = fold(applicant.name)
    others = Applicant.objects.filter(commune_id=applicant.commune_id).exclude(pk=applicant.pk)
    return [a for a in others.only("pk", "name", "verification_status") if fold(a.name) == folded]


def verification_queue(user):
    if not is_staff_like(user):
        return Applicant.objects.none()
    return (
        Applicant.objects.filter(
            verification_status__in=[Applicant.Verification.PENDING, Applicant.Verification.CHANGES_REQUESTED]
        )
        .select_related("commune")
        .order_by("created_at", "id")
    )


def requests_visible_to(user):
    if not user.is_authenticated:
        return SupportRequest.objects.none()
    if is_staff_like(user):
        return SupportRequest.objects.all()
    if has_role(user, Role.APPLICANT):
        return SupportRequest.objects.filter(applicant__in=Applicant.objects.filter(_own(user)).values("pk"))
    return SupportRequest.objects.none()


def request_list(user):
    return requests_visible_to(user).select_related("applicant", "applicant__commune", "activity", "variant")


def request_for(user, pk):
    return get_object_or_404(
        requests_visible_to(user).select_related("applicant", "activity", "variant", "applicant__commune"),
        pk=pk,
    )


def public_lookup(*, code, secret):
    """The request named by `code` if `secret` is its applicant's tax code or phone, else None.
    Nothing else is revealed (a wrong secret and an unknown code look the same)."""
    from core.validators import normalize_phone

    code = (code or "").strip().upper()
    secret = (secret or "").strip()
    if not code or not secret:
        return None
    request = (
        SupportRequest.objects.filter(code=code)
        .exclude(status=SupportRequest.Status.DRAFT)
        .select_related("applicant", "activity")
        .first()
    )
    if request is None:
        return None
    applicant = request.applicant
    tax = normalize_tax_code(secret)
    phone = normalize_phone(secret)
    if (applicant.tax_code and tax == applicant.tax_code) or (applicant.phone and phone == applicant.phone):
        return request
    return None


def personal_data(user):
    """Everything the portal holds about `user` and its applicants (the right of access of
    Nghị định 13/2023/NĐ-CP Điều 9)."""
    applicants = own_applicants(user).prefetch_related(
        "artisan_titles", "reviews", "support_requests__events"
    )
    return {
        "account": {
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "date_joined": user.date_joined.isoformat(),
        },
        "applicants": [
            {
                "kind": a.get_kind_display(),
                "name": a.name,
                "tax_code": a.tax_code,
                "registration_number": a.registration_number,
                "representative": a.representative,
                "phone": a.phone,
                "email": a.email,
                "address": a.address,
                "commune": a.commune.full_name,
                "sector": a.sector,
                "founded_year": a.founded_year,
                "insured_employees": a.insured_employees,
                "revenue_vnd": a.revenue_vnd,
                "capital_vnd": a.capital_vnd,
                "verification_status": a.get_verification_status_display(),
                "privacy_consent_at": a.privacy_consent_at.isoformat() if a.privacy_consent_at else None,
                "artisan_titles": [
                    {"title": t.get_title_display(), "year": t.year, "craft": t.craft, "decision": t.decision}
                    for t in a.artisan_titles.all()
                ],
                "reviews": [
                    {"decision": r.get_decision_display(), "at": r.at.isoformat(), "reason": r.reason}
                    for r in a.reviews.all()
                ],
                "support_requests": [
                    {
                        "code": r.code,
                        "year": r.year,
                        "title": r.title,
                        "description": r.description,
                        "estimated_cost": r.estimated_cost,
                        "counterpart": r.counterpart,
                        "requested_support": r.requested_support,
                        "status": r.get_status_display(),
                        "steps": [
                            {"to": e.to_status, "at": e.at.isoformat(), "comment": e.comment}
                            for e in r.events.all()
                        ],
                    }
                    for r in a.support_requests.all()
                ],
            }
            for a in applicants
        ],
    }
