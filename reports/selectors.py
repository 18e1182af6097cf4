"""Reads across every app: `reports` is the one app that may read everything."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# The counting rule of each target, one sentence (design.md, Target): printed beside the target on
# the dashboard, and in the yearly report.
TARGET_RULES = {
    Target.Measure.DEMO_MODELS: gettext_lazy(
        "Đếm số mô hình trình diễn (không đếm số đề án) của các đề án 2a đã nghiệm thu hoặc quyết "
        "toán có năm kế hoạch và ngày nghiệm thu đều trong giai đoạn; không tính đề án dự thảo, bị "
        "từ chối, đã hủy hay của chương trình trước."
    ),
    Target.Measure.MACHINERY_FACILITIES: gettext_lazy(
        "Đếm số cơ sở khác nhau thụ hưởng các đề án 2b đã nghiệm thu hoặc quyết toán có năm kế hoạch "
        "và ngày nghiệm thu trong giai đoạn; một cơ sở được hỗ trợ nhiều lần tính một, số lượt ghi riêng."
    ),
    Target.Measure.SELECTION_ROUNDS: gettext_lazy(
        "Đếm số kỳ bình chọn cấp tỉnh khác nhau (năm và quyết định công nhận) tổ chức và công nhận "
        "trong giai đoạn; một kỳ do nhiều đề án chi trả chỉ tính một, không đếm số đề án."
    ),
    Target.Measure.TRADEMARKS: gettext_lazy(
        "Đếm số cơ sở khác nhau thụ hưởng các đề án 3c (trường hợp đăng ký nhãn hiệu) đã nghiệm thu "
        "hoặc quyết toán có năm kế hoạch và ngày nghiệm thu trong giai đoạn."
    ),
    Target.Measure.COLLABORATORS: gettext_lazy(
        "Đếm số xã, phường đang hoạt động có cộng tác viên khuyến công đang làm việc vào ngày xem, so "
        "với số xã, phường đang hoạt động (không cố định 104: xã, phường có thể sáp nhập)."
    ),
}


def target_rule(measure: str) -> str:
    """The counting rule of a target's measure, in one Vietnamese sentence ("" for an unknown one)."""
    return str(TARGET_RULES.get(measure, ""))


def elapsed_share(programme, on_date=None) -> int:
    """The share of the programme's period elapsed on `on_date`, in whole percent: days elapsed
    (the day itself counted) over the days from 1 January of its first year to 31 December of its
    last; 0 before it starts, 100 after it ends."""
    on_date = on_date or timezone.localdate()
    start = datetime.date(programme.start_year, 1, 1)
    end = datetime.date(programme.end_year, 12, 31)
    total = (end - start).days + 1
    elapsed = min(max((on_date - start).days + 1, 0), total)
    return round(100 * elapsed / total)


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
