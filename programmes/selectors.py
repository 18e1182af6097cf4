"""Reads of the programme's frame."""

from accounts.roles import Role, has_role
from core.text import fold

from .models import AdministrativeUnit, Collaborator, Programme, ReportingUnit, SelectionRound


def communes_named(value, queryset=None) -> list[AdministrativeUnit]:
    """The communes of `queryset` (every one by default) that `value` names as people type it in a
    searchable list: the full name ("Phường Phố Hiến"), the name ("Phố Hiến") or the 5-digit code,
    ignoring case, spacing and diacritics ("pho hien"). A full name or a code wins over a bare name
    two communes might share. One query."""
    wanted = fold(value)
    if not wanted:
        return []
    rows = list(AdministrativeUnit.objects.all() if queryset is None else queryset)
    exact = [u for u in rows if wanted in (fold(u.full_name), u.code)]
    return exact or [u for u in rows if fold(u.name) == wanted]


def communes_of(user):
    """The communes a commune official reports for (several units add up). Empty for anyone else."""
    if not has_role(user, Role.UNIT_REPORTER):
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(
        reporting_unit__members=user, reporting_unit__kind=ReportingUnit.Kind.COMMUNE
    )


def rule_in_force(*, activity, variant, funding_source, on_date, kind="ceiling", communes=None):
    """The support rule that bounds `activity`/`variant` under `funding_source` on `on_date`: the
    most specific applicable row (the variant's, then the activity's without a variant, then the
    catch-all `*` row), latest start first. A rule of another variant never applies.

    Territory: a rule with communes applies only where every one of `communes` (the project's
    place) lies in its scope, and wins over a whole-province rule of the same start (the former
    provinces' resolutions in their former territories after the 2025 merger); a rule without
    communes applies to the whole province. With no `communes` given only whole-province rules
    apply. None when no rule is configured."""
    from django.db.models import Case, Count, IntegerField, Q, Value, When

    from .models import SupportRule

    ids = {getattr(c, "pk", c) for c in communes or ()}
    rules = (
        SupportRule.objects.filter(
            kind=kind,
            funding_source=funding_source,
            status__in=SupportRule.APPLICABLE_STATUSES,
            valid_from__lte=on_date,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .annotate(scope_size=Count("communes", distinct=True))
        .annotate(
            scoped=Case(When(scope_size=0, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
    )
    if ids:
        rules = rules.annotate(in_scope=Count("communes", filter=Q(communes__in=ids), distinct=True)).filter(
            Q(scope_size=0) | Q(in_scope=len(ids))
        )
    else:
        rules = rules.filter(scope_size=0)
    candidates = [
        rules.filter(activity=activity, variant=variant) if variant else None,
        rules.filter(activity=activity, variant__isnull=True),
        rules.filter(applies_to_all=True),
    ]
    for queryset in candidates:
        if queryset is None:
            continue
        rule = (
            queryset.select_related("funding_source", "activity", "variant")
            .order_by("-valid_from", "-scoped")
            .first()
        )
        if rule:
            return rule
    return None


def reporting_units_for_choice():
    """Active reporting units for the account form: communes first, each group in Vietnamese order
    (the model's ordering), with their commune."""
    return list(ReportingUnit.objects.filter(is_active=True).select_related("commune"))


def current_programme():
    """The programme in force (one at most), or None."""
    return Programme.objects.filter(is_current=True).first()


def round_counts(programme, round_) -> bool:
    """Whether a selection round counts toward the programme's selection-rounds target: provincial,
    held and recognised inside the programme's years (projects.selectors.target_achieved)."""
    return (
        round_.level == SelectionRound.Level.PROVINCIAL
        and programme.start_year <= round_.year <= programme.end_year
        and programme.start_year <= round_.recognition_date.year <= programme.end_year
    )


def selection_rounds_of(programme) -> list[SelectionRound]:
    """The programme's selection rounds, newest first, each with `counts` (see round_counts)."""
    rounds = list(programme.selection_rounds.order_by("-year", "-recognition_date", "-id"))
    for round_ in rounds:
        round_.counts = round_counts(programme, round_)
    return rounds


def active_collaborators_on(on_date, queryset=None):
    """Collaborators in office on `on_date`: appointed on or before it, not ended before it (one
    ended on the day was still in office that day)."""
    queryset = Collaborator.objects.all() if queryset is None else queryset
    return queryset.filter(appointed_on__lte=on_date).exclude(ended_on__lt=on_date)


def communes_with_active_collaborator(on_date) -> int:
    """What the `collaborators` target counts: active communes with a collaborator in office on
    `on_date` (two in one commune count once)."""
    return (
        active_collaborators_on(on_date, Collaborator.objects.filter(commune__is_active=True))
        .values("commune")
        .distinct()
        .count()
    )


def collaborators_list():
    """The staff list of collaborators, with their commune in the same query."""
    return Collaborator.objects.select_related("commune").order_by("commune__sort_key", "-appointed_on", "pk")
