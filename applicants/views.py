import json

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role, is_staff_like
from core import throttle
from core.forms import apply_service_errors
from core.http import client_ip
from core.listing import Listing, int_filter
from core.spreadsheets import drop_stash, load_stash, read_table, stash_rows, xlsx_response
from programmes.models import ActivityType, ActivityVariant, AdministrativeUnit

from . import selectors, services
from .forms import (
    PROFILE_FIELDS,
    ApplicantForm,
    ArtisanTitleForm,
    ImportForm,
    LookupForm,
    MemberForm,
    RegistrationForm,
    ReviewForm,
    StaffEntryForm,
    SupportRequestForm,
    TriageForm,
)
from .models import Applicant, SupportRequest
from .resources import (
    APPLICANT_COLUMNS,
    applicant_export_rows,
    applicant_import,
    personal_data_rows,
    request_export_rows,
)

STAFF = (Role.STAFF, Role.LEADER)
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 600


# --- Registration and own profile --------------------------------------------------------------


def register(request):
    """Public self-registration: the account and the profile in one form (phone first)."""
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        title_form = ArtisanTitleForm(request.POST, prefix="artisan")
        if form.is_valid() and title_form.is_valid():
            try:
                applicant, user = services.applicant_register(
                    applicant=form.instance,
                    password=form.cleaned_data["password1"],
                    consent=form.cleaned_data["consent"],
                    artisan_title=title_form.as_data(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                login(request, user, backend="accounts.backends.EmailOrPhoneBackend")
                messages.success(
                    request,
                    _("Đăng ký thành công. Hồ sơ của cơ sở đang chờ cán bộ Sở Công Thương xác minh."),
                )
                return redirect("applicants:my_profile")
    else:
        form = RegistrationForm()
        title_form = ArtisanTitleForm(prefix="artisan")
    return render(request, "applicants/register.html", {"form": form, "title_form": title_form})


def privacy_notice(request):
    return render(request, "applicants/privacy.html")


@role_required(Role.APPLICANT)
def my_profile(request):
    applicants = list(selectors.own_applicants(request.user).prefetch_related("reviews", "artisan_titles"))
    return render(request, "applicants/my_profile.html", {"applicants": applicants})


@role_required(Role.APPLICANT, *STAFF)
def edit(request, pk):
    applicant = selectors.applicant_for(request.user, pk, edit=True)
    locked = applicant.is_verified and not is_staff_like(request.user)
    if request.method == "POST":
        form = ApplicantForm(request.POST, instance=applicant)
        _lock(form, locked)
        if form.is_valid():
            data = {name: form.cleaned_data.get(name) for name in PROFILE_FIELDS}
            try:
                services.applicant_update(
                    applicant=applicant,
                    actor=request.user,
                    data=data,
                    expected_version=form.cleaned_data.get("version") or applicant.version,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Đã lưu hồ sơ cơ sở."))
                if is_staff_like(request.user):
                    return redirect("applicants:detail", pk=applicant.pk)
                return redirect("applicants:my_profile")
    else:
        form = ApplicantForm(instance=applicant)
        _lock(form, locked)
    return render(request, "applicants/edit.html", {"form": form, "applicant": applicant, "locked": locked})


def _lock(form, locked):
    """Identity fields of a verified profile are shown but not editable by the applicant."""
    if locked:
        for name in Applicant.IDENTITY_FIELDS:
            form.fields[name].disabled = True


@role_required(Role.APPLICANT)
def my_data(request):
    """A person downloads everything the portal holds about them: JSON, or XLSX with
    `?format=xlsx` (easier to read for most people)."""
    data = selectors.personal_data(request.user)
    if request.GET.get("format") == "xlsx":
        headers, rows = personal_data_rows(data)
        return xlsx_response("du-lieu-cua-toi.xlsx", headers, rows, "Dữ liệu của tôi")
    payload = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    return response


@role_required(Role.APPLICANT, *STAFF)
def members(request, pk):
    """The owner (or staff) sees the accounts of an applicant and adds one by phone or email."""
    applicant = selectors.applicant_members_for(request.user, pk)
    form = MemberForm(request.POST or None)
    added = None
    if request.method == "POST" and form.is_valid():
        try:
            added = services.applicant_member_add(
                applicant=applicant,
                actor=request.user,
                contact=form.cleaned_data["contact"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s vào cơ sở.") % {"name": added.user.full_name})
            if not added.password:
                return redirect("applicants:members", pk=applicant.pk)
            form = MemberForm()
    return render(
        request,
        "applicants/members.html",
        {
            "applicant": applicant,
            "people": selectors.applicant_member_list(applicant),
            "form": form,
            "added": added,
            "staff": is_staff_like(request.user),
        },
    )


@require_POST
@role_required(Role.APPLICANT, *STAFF)
def member_remove(request, pk):
    applicant = selectors.applicant_members_for(request.user, pk)
    try:
        member = services.applicant_member_remove(
            applicant=applicant, actor=request.user, user_id=int(request.POST.get("user", 0) or 0)
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Yêu cầu không hợp lệ.")])))
    else:
        messages.success(request, _("Đã bớt %(name)s khỏi cơ sở.") % {"name": member.full_name})
    return redirect("applicants:members", pk=applicant.pk)


@require_POST
@role_required(Role.APPLICANT)
def member_leave(request, pk):
    """A member (not the owner) leaves an applicant."""
    applicant = get_object_or_404(selectors.own_applicants(request.user), pk=pk)
    try:
        services.applicant_member_remove(applicant=applicant, actor=request.user, user_id=request.user.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Bạn đã rời khỏi %(name)s.") % {"name": applicant.name})
    return redirect("applicants:my_profile")


# --- Staff: lists, detail, verification, paper dossiers, import --------------------------------


def _with_requests(user, lookup):
    """Applicants with a request matching `lookup` among the requests `user` may see (a subquery:
    no duplicated rows). A commune official sees no requests, so the filter tells them nothing."""

    def apply(queryset, value):
        if lookup == "year":
            value = int(value)
        visible = selectors.requests_visible_to(user).filter(**{lookup: value})
        return queryset.filter(pk__in=visible.values("applicant"))

    return apply


def _applicant_listing(request, queryset):
    return Listing(
        request,
        queryset,
        search=selectors.applicant_search_for(request.user),
        filters={
            "kind": "kind",
            "commune": "commune__code",
            "status": "verification_status",
            "year": _with_requests(request.user, "year"),
            "activity": _with_requests(request.user, "activity__code"),
        },
        sorts={
            "name": ("sort_key", "id"),
            "created": ("created_at", "id"),
            "commune": ("commune__name", "sort_key"),
        },
        default_sort="name",
    )


@role_required(*STAFF, Role.UNIT_REPORTER)
def applicant_list(request):
    queryset = selectors.staff_applicant_list(request.user)
    listing = _applicant_listing(request, queryset)
    show_ids = is_staff_like(request.user)
    if listing.wants_export:
        headers, rows = applicant_export_rows(listing.queryset, with_personal_ids=show_ids)
        return xlsx_response(f"co-so-{timezone.localdate():%Y%m%d}.xlsx", headers, rows, "Cơ sở")
    return render(
        request,
        "applicants/list.html",
        {
            "listing": listing,
            "show_ids": show_ids,
            "kinds": Applicant.Kind.choices,
            "statuses": Applicant.Verification.choices,
            "communes": _communes_for(request.user),
            "activities": ActivityType.objects.filter(is_active=True).order_by("sort_order"),
        },
    )


def _communes_for(user):
    from programmes.selectors import communes_of

    if is_staff_like(user):
        return AdministrativeUnit.objects.filter(is_active=True).order_by("name")
    return communes_of(user).order_by("name")


@role_required(*STAFF, Role.UNIT_REPORTER, Role.APPLICANT)
def detail(request, pk):
    applicant = selectors.applicant_for(request.user, pk)
    staff = is_staff_like(request.user)
    requests = (
        selectors.requests_visible_to(request.user).filter(applicant=applicant).select_related("activity")
    )
    duplicates = selectors.possible_duplicates_of(request.user, applicant) if staff else []
    return render(
        request,
        "applicants/detail.html",
        {
            "applicant": applicant,
            "reviews": applicant.reviews.select_related("actor"),
            "titles": applicant.artisan_titles.all(),
            "requests": requests if (staff or has_role(request.user, Role.APPLICANT)) else [],
            "show_ids": staff or _is_own(request.user, applicant),
            "staff": staff,
            "review_form": ReviewForm(),
            "duplicates": duplicates,
        },
    )


def _is_own(user, applicant):
    return applicant.owner_id == user.pk or applicant.members.filter(pk=user.pk).exists()


@role_required(*STAFF)
def verification_queue(request):
    listing = Listing(
        request,
        selectors.verification_queue(request.user),
        filters={"kind": "kind", "commune": "commune__code", "status": "verification_status"},
        sorts={"created": ("created_at", "id"), "name": ("sort_key", "id")},
        default_sort="created",
    )
    return render(
        request,
        "applicants/queue.html",
        {
            "listing": listing,
            "kinds": Applicant.Kind.choices,
            "communes": _communes_for(request.user),
            "review_form": ReviewForm(),
        },
    )


@require_POST
@role_required(*STAFF)
def review(request, pk):
    applicant = selectors.applicant_for(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.applicant_review(
                applicant=applicant,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi quyết định với hồ sơ %(name)s.") % {"name": applicant.name})
    else:
        messages.error(request, _("Quyết định không hợp lệ."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "applicants:verification_queue"
    return redirect(target)


@role_required(*STAFF)
def staff_entry(request):
    """A paper dossier entered by staff on an applicant's behalf."""
    result = None
    if request.method == "POST":
        form = StaffEntryForm(request.POST)
        title_form = ArtisanTitleForm(request.POST, prefix="artisan")
        if form.is_valid() and title_form.is_valid():
            try:
                result = services.applicant_enter_paper_dossier(
                    actor=request.user,
                    applicant=form.instance,
                    create_account=form.cleaned_data["create_account"],
                    artisan_title=title_form.as_data(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("Đã nhập hồ sơ giấy của %(name)s.") % {"name": result.applicant.name}
                )
                return render(request, "applicants/staff_entry_done.html", {"result": result})
    else:
        form = StaffEntryForm()
        title_form = ArtisanTitleForm(prefix="artisan")
    return render(request, "applicants/staff_entry.html", {"form": form, "title_form": title_form})


@role_required(*STAFF)
def import_applicants(request):
    """Upload → preview (every bad row with its line) → confirm: all or nothing."""
    context = {"form": ImportForm(), "columns": [h for h, _f in APPLICANT_COLUMNS]}
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        try:
            table = load_stash(token, user=request.user, kind="applicants")
            result = applicant_import(table, actor=request.user, dry_run=False)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("applicants:import")
        if result.ok:
            drop_stash(token)
            messages.success(request, _("Đã nhập %(n)s cơ sở.") % {"n": len(result.instances)})
            return redirect("applicants:list")
        context.update(result=result)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                table = read_table(form.cleaned_data["file"])
                result = applicant_import(table, actor=request.user, dry_run=True)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                context.update(result=result, preview=result.instances[:50], total=len(table.rows))
                if result.ok:
                    context["token"] = stash_rows(table, user=request.user, kind="applicants")
    return render(request, "applicants/import.html", context)


@role_required(*STAFF)
def import_template(request):
    example = [
        "Hộ kinh doanh",
        "Hộ kinh doanh Nguyễn Văn A",
        "",
        "",
        "Nguyễn Văn A",
        "0912345678",
        "",
        "Thôn 1",
        "11953",
        "Mây tre đan",
        2015,
        3,
        500000000,
        300000000,
    ]
    return xlsx_response("mau-nhap-co-so.xlsx", [h for h, _f in APPLICANT_COLUMNS], [example], "Cơ sở")


# --- Support requests --------------------------------------------------------------------------


@role_required(Role.APPLICANT)
def my_requests(request):
    applicants = list(selectors.own_applicants(request.user))
    requests = selectors.request_list(request.user)
    return render(request, "applicants/my_requests.html", {"applicants": applicants, "requests": requests})


def _ceiling_context(form):
    data = form.data if form.is_bound else {}
    activity = variant = None
    try:
        if data.get("activity"):
            activity = ActivityType.objects.get(pk=data.get("activity"))
        if data.get("variant"):
            variant = ActivityVariant.objects.get(pk=data.get("variant"))
    except (ValueError, ActivityType.DoesNotExist, ActivityVariant.DoesNotExist):
        return {}
    if activity is None and form.instance.pk:
        activity, variant = form.instance.activity, form.instance.variant
    if activity is None:
        return {}
    if variant and variant.activity_id != activity.id:
        variant = None
    cost = None
    try:
        cost = int(str(data.get("estimated_cost", "")).replace(".", "").replace(" ", "") or 0) or None
    except ValueError:
        cost = None
    if cost is None and form.instance.pk:
        cost = form.instance.estimated_cost
    ceilings = services.ceilings_for(activity=activity, variant=variant, cost=cost)
    by_variant = []
    if variant is None and not ceilings:
        # No case chosen yet: show the ceilings of each case of the activity.
        for item in activity.variants.all():
            found = services.ceilings_for(activity=activity, variant=item, cost=cost)
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


@role_required(Role.APPLICANT, *STAFF)
def request_create(request, applicant_pk):
    applicant = selectors.applicant_for(request.user, applicant_pk, edit=True)
    if request.headers.get("HX-Request"):
        return render(request, "applicants/_ceiling.html", _ceiling_context(SupportRequestForm(request.GET)))
    form = SupportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.support_request_create(
                applicant=applicant,
                actor=request.user,
                data=form.data_for_service(),
                submit="submit" in request.POST,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if created.code:
                messages.success(request, _("Đã gửi đề nghị. Mã theo dõi: %(code)s") % {"code": created.code})
            else:
                messages.success(request, _("Đã lưu nháp đề nghị."))
            return redirect("applicants:request_detail", pk=created.pk)
    context = {"form": form, "applicant": applicant, **_ceiling_context(form)}
    return render(request, "applicants/request_form.html", context)


@role_required(Role.APPLICANT, *STAFF)
def request_edit(request, pk):
    support_request = selectors.request_for(request.user, pk)
    if support_request.status not in services.EDITABLE:
        raise Http404
    if request.headers.get("HX-Request"):
        return render(request, "applicants/_ceiling.html", _ceiling_context(SupportRequestForm(request.GET)))
    form = SupportRequestForm(request.POST or None, instance=support_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_update(
                request=support_request,
                actor=request.user,
                data=form.data_for_service(),
                expected_version=form.cleaned_data.get("version") or support_request.version,
                submit="submit" in request.POST,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu đề nghị."))
            return redirect("applicants:request_detail", pk=support_request.pk)
    context = {"form": form, "applicant": support_request.applicant, "support_request": support_request}
    context.update(_ceiling_context(form))
    return render(request, "applicants/request_form.html", context)


@role_required(Role.APPLICANT, *STAFF)
def request_detail(request, pk):
    support_request = selectors.request_for(request.user, pk)
    ceilings = services.ceilings_for(
        activity=support_request.activity,
        variant=support_request.variant,
        cost=support_request.estimated_cost,
    )
    return render(
        request,
        "applicants/request_detail.html",
        {
            "r": support_request,
            "events": support_request.events.select_related("actor"),
            "staff": is_staff_like(request.user),
            "editable": support_request.status in services.EDITABLE,
            "triage_form": TriageForm(),
            "ceilings": ceilings,
            "ceiling_cost": support_request.estimated_cost,
            "ceiling_checked": True,
        },
    )


@require_POST
@role_required(*STAFF)
def request_triage(request, pk):
    support_request = selectors.request_for(request.user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.support_request_triage(
                request=support_request,
                actor=request.user,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi bước xử lý đề nghị."))
    else:
        messages.error(request, _("Bước xử lý không hợp lệ."))
    return redirect("applicants:request_detail", pk=support_request.pk)


@role_required(*STAFF)
def request_list(request):
    listing = Listing(
        request,
        selectors.request_list(request.user),
        filters={
            "status": "status",
            "year": int_filter("year"),
            "activity": "activity__code",
            "commune": "applicant__commune__code",
            "kind": "applicant__kind",
        },
        sorts={"submitted": ("submitted_at", "id"), "code": ("code", "id"), "cost": ("estimated_cost", "id")},
        default_sort="-submitted",
    )
    if listing.wants_export:
        headers, rows = request_export_rows(listing.queryset)
        return xlsx_response(f"de-nghi-{timezone.localdate():%Y%m%d}.xlsx", headers, rows, "Đề nghị hỗ trợ")
    return render(
        request,
        "applicants/request_list.html",
        {
            "listing": listing,
            "statuses": SupportRequest.Status.choices,
            "kinds": Applicant.Kind.choices,
            "communes": _communes_for(request.user),
            "activities": ActivityType.objects.filter(is_active=True).order_by("sort_order"),
        },
    )


# --- Public status lookup ----------------------------------------------------------------------


def _lookup_allowed(request):
    return throttle.hit(f"applicants:lookup:{client_ip(request)}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW)


def lookup(request):
    """Anyone with a tracking code and the applicant's tax code (or phone) sees the request's status
    and its dated steps, nothing else. Rate-limited per visitor. The form is POSTed so that the tax
    code or phone never lands in an address bar, a browser history or a server's access log."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if form.is_bound:
        if not _lookup_allowed(request):
            context["limited"] = True
            return render(request, "applicants/lookup.html", context, status=429)
        if form.is_valid():
            found = selectors.public_lookup(
                code=form.cleaned_data["code"], secret=form.cleaned_data["secret"]
            )
            context["found"] = found
            context["not_found"] = found is None
            if found:
                context["steps"] = found.events.exclude(to_status=SupportRequest.Status.DRAFT)
    return render(request, "applicants/lookup.html", context)
