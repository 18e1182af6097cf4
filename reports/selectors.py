"""Reads across every app: `reports` is the one app that may read everything."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.charts import Chart, ProgressItem, percent_of, progress_chart
from programmes.models import AdministrativeUnit, Target
from programmes.selectors import communes_with_active_collaborator
from programmes.selectors import current_programme as current_programme  # the pages read it here too
from projects.selectors import target_achieved, target_visits


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    goal: int
    achieved: int
    visits: int | None = None  # times supported (lượt), beside distinct facilities

    @property
    def shows_visits(self):
        """Facilities and visits are both shown where they differ (a facility supported twice)."""
        return self.visits is not None and self.visits != self.achieved

    @property
    def percent(self):
        return percent_of(self.achieved, self.goal)


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
        visits = None
        if target.measure == Target.Measure.COLLABORATORS:
            achieved = communes_with_active_collaborator(on_date)
        else:
            achieved = target_achieved(programme, target.measure)
            visits = target_visits(programme, target.measure)
        rows.append(TargetProgress(target=target, goal=goal, achieved=achieved, visits=visits))
    return rows


def target_progress_chart(progress: list[TargetProgress]) -> Chart:
    """The programme's targets as a progress chart with its table (the home page, and the yearly
    report's PDF, draw the same chart)."""
    return progress_chart(
        _("Tiến độ thực hiện chỉ tiêu"),
        [
            ProgressItem(
                key=row.target.code,
                label=row.target.name,
                achieved=row.achieved,
                goal=row.goal,
                unit=row.target.unit,
            )
            for row in progress
        ],
    )
