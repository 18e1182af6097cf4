"""Reads across every app: `reports` is the one app that may read everything."""

from dataclasses import dataclass

from django.utils import timezone

from programmes.models import AdministrativeUnit, Collaborator, Programme, Target
from projects.selectors import target_achieved


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    goal: int
    achieved: int

    @property
    def percent(self):
        if not self.goal:
            return 0
        return min(100, round(100 * self.achieved / self.goal))


def current_programme():
    return Programme.objects.filter(is_current=True).first()


def _active_communes_with_collaborator(on_date):
    return (
        Collaborator.objects.filter(commune__is_active=True, appointed_on__lte=on_date)
        .exclude(ended_on__lt=on_date)
        .values("commune")
        .distinct()
        .count()
    )


def programme_progress(programme, on_date=None):
    """Progress of each target: computed from real data, never typed in."""
    on_date = on_date or timezone.localdate()
    active_communes = AdministrativeUnit.objects.filter(is_active=True).count()
    rows = []
    for target in programme.targets.all():
        if target.basis == Target.Basis.PER_COMMUNE:
            goal = target.target_value * active_communes
        else:
            goal = target.target_value
        if target.measure == Target.Measure.COLLABORATORS:
            achieved = _active_communes_with_collaborator(on_date)
        else:
            achieved = target_achieved(programme, target.measure)
        rows.append(TargetProgress(target=target, goal=goal, achieved=achieved))
    return rows
