"""Reads of applicants and support requests, always scoped to the requesting user.

Staff and leaders see everything; a commune official sees (read-only) the applicants of its
communes; an applicant's members see their own applicant and requests; anyone else sees nothing.
A row outside the scope answers 404."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.roles import Role, has_role, is_staff_like
from core.listing import apply_search, int_filter
from core.money import parse_vnd
from core.text import fold
from core.validators import normalize_phone
from programmes.ceilings import fund_limit
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit, FundingSource
from programmes.selectors import communes_named, communes_of

from .models import Applicant, NoOtherSupportDeclaration, PrivacyConsent, PrivacyNotice, SupportRequest
from .validators import normalize_tax_code

# --- Membership: the one answer to "is this user one of that applicant's people" ----------------


def _own_pks(user):
    return Applicant.objects.filter(Q(owner=user) | Q(members=user)).values("pk")


def applicants_of(user):
    """The applicants `user` owns or is a member of, whatever roles it holds (one row each: a
    subquery, so the members join never duplicates a row)."""
    if user is None or not user.is_authenticated:
        return Applicant.objects.none()
    return Applicant.objects.filter(pk__in=_own_pks(user))


def is_member(user, applicant) -> bool:
    """Whether `user` owns or is a member of `applicant`."""
    if user is None or not user.is_authenticated:
        return False
    return applicant.owner_id == user.pk or applicant.members.filter(pk=user.pk).exists()


# --- Privacy notice and consent -----------------------------------------------------------------


def current_notice(on_date=None):
    """The version of the privacy notice in force on `on_date` (today): the latest one valid from
    then or before; None when none is."""
    on_date = on_date or timezone.localdate()
    return PrivacyNotice.objects.filter(valid_from__lte=on_date).order_by("-valid_from", "-id").first()


def latest_consent(applicant):
    """The applicant's latest consent (active or withdrawn), None when none was recorded."""
    return PrivacyConsent.objects.filter(applicant=applicant).select_related("notice").first()


def consent_withdrawn(applicant) -> bool:
    """Consent was given and withdrawn, and not given again: no new requests (a profile that
    predates recorded consents is not refused for lacking one)."""
    latest = latest_consent(applicant)
    return latest is not None and latest.withdrawn_at is not None


# --- Applicants ----------------------------------------------------------------------------------


def applicants_visible_to(user):
    if not user.is_authenticated:
        return Applicant.objects.none()
    if is_staff_like(user):
        return Applicant.objects.all()
    scope = Q(pk__in=[])
    if has_role(user, Role.APPLICANT):
        scope |= Q(pk__in=_own_pks(user))
    if has_role(user, Role.UNIT_REPORTER):
        scope |= Q(commune__in=communes_of(user))
    return Applicant.objects.filter(scope)


def applicants_editable_by(user):
    """Staff edit any profile; an applicant only its own; commune officials and observers none."""
    if is_staff_like(user):
        return Applicant.objects.all()
    if has_role(user, Role.APPLICANT):
        return applicants_of(user)
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


def member_invitations_for(user):
    """The pending invitations naming one of `user`'s contacts (its email or phone)."""
    from .models import MemberInvitation

    contacts = [c for c in (user.email, user.phone) if c]
    return (
        MemberInvitation.objects.filter(contact__in=contacts, status=MemberInvitation.Status.PENDING)
        .select_related("applicant", "applicant__commune")
        .order_by("-created_at", "-id")
    )


def pending_invitations_of(applicant):
    """What the owner sees of its invitations: the contact it typed, never who holds it."""
    from .models import MemberInvitation

    return applicant.invitations.filter(status=MemberInvitation.Status.PENDING).order_by("-created_at", "-id")


def own_applicants_with_consent(user) -> list[Applicant]:
    """The profile page's applicants, each with `consent`: its latest consent (one query for all)."""
    consents = Prefetch("consents", queryset=PrivacyConsent.objects.select_related("notice"))
    applicants = list(own_applicants(user).prefetch_related("reviews", "artisan_titles", consents))
    for applicant in applicants:
        given = list(applicant.consents.all())
        applicant.consent = given[0] if given else None
    return applicants


def own_applicants(user):
    if not has_role(user, Role.APPLICANT):
        return Applicant.objects.none()
    return applicants_of(user).select_related("commune")


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
        return SupportRequest.objects.filter(applicant__in=_own_pks(user))
    return SupportRequest.objects.none()


def request_list(user):
    """The requests with what the rows show, and the project made from each (its status followed
    to settlement)."""
    return requests_visible_to(user).select_related(
        "applicant", "applicant__commune", "activity", "variant", "project"
    )


def request_for(user, pk):
    return get_object_or_404(
        requests_visible_to(user).select_related(
            "applicant", "activity", "variant", "applicant__commune", "project"
        ),
        pk=pk,
    )


def public_lookup(*, code, secret):
    """The request named by `code` if `secret` is its applicant's tax code or phone, else None.
    Nothing else is revealed (a wrong secret and an unknown code look the same)."""
    code = (code or "").strip().upper()
    secret = (secret or "").strip()
    if not code or not secret:
        return None
    request = (
        SupportRequest.objects.filter(code=code)
        .exclude(status=SupportRequest.Status.DRAFT)
        .select_related("applicant", "activity", "project")
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
        "artisan_titles",
        "reviews",
        "support_requests__events",
        Prefetch("consents", queryset=PrivacyConsent.objects.select_related("notice")),
        Prefetch(
            "declarations",
            queryset=NoOtherSupportDeclaration.objects.select_related("activity", "support_request").order_by(
                "-declared_at", "-id"
            ),
        ),
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
                # each consent with the version of the notice it was given to (NĐ 13/2023 Điều 11)
                "privacy_consents": [
                    {
                        "notice_version": c.notice.version,
                        "notice_valid_from": c.notice.valid_from.isoformat(),
                        "given_at": c.given_at.isoformat(),
                        "on_paper": c.on_paper,
                        "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
                    }
                    for c in a.consents.all()
                ],
                # the declarations of no other state support (TTLT 26/2014 Điều 7.4, TT 28/2018)
                "declarations": [
                    {
                        "year": d.year,
                        "activity": f"{d.activity.code}. {d.activity.short_label}",
                        "support_request": d.support_request.code if d.support_request else None,
                        "statement": d.statement,
                        "on_paper": d.on_paper,
                        "declared_at": d.declared_at.isoformat(),
                    }
                    for d in a.declarations.all()
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


# --- What the lists filter, sort and offer -------------------------------------------------------


def _with_requests(user, lookup):
    """Applicants with a request matching `lookup` among the requests `user` may see (a subquery:
    no duplicated rows). A commune official sees no requests, so the filter tells them nothing."""

    def apply(queryset, value):
        if lookup == "year":
            value = int(value)
        visible = requests_visible_to(user).filter(**{lookup: value})
        return queryset.filter(pk__in=visible.values("applicant"))

    return apply


def commune_filter(path: str):
    """A list filter on the commune at `path` as the searchable filter sends it: its code, full name
    or name, case and diacritics ignored (programmes.selectors.communes_named)."""

    def apply(queryset, value):
        return queryset.filter(**{f"{path}__in": [u.pk for u in communes_named(value)]})

    return apply


def applicant_listing(user) -> dict:
    """The search, filters and sorts of the applicant list for `user` (core.listing.Listing's
    keyword arguments): the page and its export read the same."""
    return {
        "search": applicant_search_for(user),
        "filters": {
            "kind": "kind",
            "commune": commune_filter("commune"),
            "status": "verification_status",
            "year": _with_requests(user, "year"),
            "activity": _with_requests(user, "activity__code"),
        },
        "sorts": {
            "name": ("sort_key", "id"),
            "created": ("created_at", "id"),
            "commune": ("commune__sort_key", "sort_key"),
        },
        "default_sort": "name",
    }


QUEUE_LISTING = {
    "filters": {"kind": "kind", "commune": commune_filter("commune"), "status": "verification_status"},
    "sorts": {"created": ("created_at", "id"), "name": ("sort_key", "id")},
    "default_sort": "created",
}

REQUEST_LISTING = {
    "filters": {
        "status": "status",
        "year": int_filter("year"),
        "activity": "activity__code",
        "commune": commune_filter("applicant__commune"),
        "kind": "applicant__kind",
    },
    "sorts": {"submitted": ("submitted_at", "id"), "code": ("code", "id"), "cost": ("estimated_cost", "id")},
    "default_sort": "-submitted",
}


def communes_for_filter(user):
    """The communes a list's filter offers `user`: all active ones to staff, its own otherwise."""
    if is_staff_like(user):
        return AdministrativeUnit.objects.filter(is_active=True)
    return communes_of(user)


def activities_for_filter():
    return ActivityType.objects.filter(is_active=True).order_by("sort_order")


# --- One applicant's page ------------------------------------------------------------------------


def requests_of(user, applicant):
    """The requests of `applicant` that `user` may see, with what the rows show."""
    return requests_visible_to(user).filter(applicant=applicant).select_related("activity")


def reviews_of(applicant):
    return applicant.reviews.select_related("actor")


def request_events(support_request):
    return support_request.events.select_related("actor")


def public_steps(support_request):
    """The dated steps the public lookup shows (not the drafting)."""
    return support_request.events.exclude(to_status=SupportRequest.Status.DRAFT)


# --- Support ceilings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ceiling:
    rule: object
    fund: str
    amount: int | None  # None: no bound on this rule for the cost given

    @property
    def legal_basis(self):
        return self.rule.legal_basis


def ceilings_for(*, activity, variant, cost, on_date=None, units=1, communes=None) -> list[Ceiling]:
    """The support ceilings in force for an activity (and variant) under KCĐP and KCQG:
    min(cap × units, max % × cost) per rule (TT 28/2018/TT-BTC as amended by TT 64/2024/TT-BTC),
    for the place `communes` names (the applicant's commune: a former province's resolution applies
    in its former territory only), read by programmes.ceilings.fund_limit as a project's are."""
    on_date = on_date or timezone.localdate()
    result = []
    for code in (FundingSource.KCDP, FundingSource.KCQG):
        fund = FundingSource.objects.filter(code=code).first()
        if fund is None:
            continue
        check = fund_limit(
            fund,
            activity=activity,
            variant=variant,
            cost=cost,
            units=units,
            on_date=on_date,
            communes=communes,
        )
        if check.rule is None:
            continue
        result.append(Ceiling(rule=check.rule, fund=fund.short_name or fund.code, amount=check.limit))
    return result


def applicant_communes(applicant) -> list:
    """Where an applicant's request is carried out, for the rules' territory: its commune."""
    return [applicant.commune] if applicant is not None and applicant.commune_id else []


def _typed_choice(data, instance):
    """(activity, variant) typed on the form, else the request's own; None when unknown."""
    try:
        activity = ActivityType.objects.get(pk=data["activity"]) if data.get("activity") else None
        variant = ActivityVariant.objects.get(pk=data["variant"]) if data.get("variant") else None
    except (ValueError, ActivityType.DoesNotExist, ActivityVariant.DoesNotExist):
        return None
    if activity is None and instance is not None and instance.pk:
        activity, variant = instance.activity, instance.variant
    if activity is None:
        return None
    if variant and variant.activity_id != activity.id:
        variant = None
    return activity, variant


def _typed_cost(data, instance):
    try:
        cost = parse_vnd(data.get("estimated_cost", "")) or None
    except ValueError:
        cost = None
    if cost is None and instance is not None and instance.pk:
        cost = instance.estimated_cost
    return cost


def ceiling_preview(data, instance=None, applicant=None) -> dict:
    """What the request form shows beside the activity as it is typed (`data`: the form's data;
    `instance`: the request being edited; `applicant`: whose request, for the rules' territory):
    the ceilings in force for the activity and case chosen and the cost typed, or, when no case is
    chosen and the activity has no general rule, the ceilings of each of its cases. Empty when no
    activity is known yet."""
    choice = _typed_choice(data, instance)
    if choice is None:
        return {}
    activity, variant = choice
    cost = _typed_cost(data, instance)
    communes = applicant_communes(applicant)
    ceilings = ceilings_for(activity=activity, variant=variant, cost=cost, communes=communes)
    by_variant = []
    if variant is None and not ceilings:
        for item in activity.variants.all():
            found = ceilings_for(activity=activity, variant=item, cost=cost, communes=communes)
            if found:
                by_variant.append((item, found))
    return {
        "ceiling_activity": activity,
        "ceiling_variant": variant,
        "ceilings": ceilings,
        "ceilings_by_variant": by_variant,
        "ceiling_cost": cost,
        "ceiling_checked": True,
    }
