"""Build a queued compiled report here and now, without the worker (the broker is down, or an
operator wants to see the error): `manage.py build_report <id>` (the id of the version's row)."""

from django.core.management.base import BaseCommand, CommandError

from reports import yearly_jobs
from reports.models import GeneratedReport


class Command(BaseCommand):
    help = "Lập ngay một báo cáo tổng hợp đang chờ (không qua máy xử lý nền)."

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int)

    def handle(self, *args, report_id, **options):
        before = GeneratedReport.objects.filter(pk=report_id).values_list("status", flat=True).first()
        if before is None:
            raise CommandError(f"Không có báo cáo số {report_id}.")
        if before != GeneratedReport.Status.QUEUED:
            raise CommandError(
                f"Báo cáo số {report_id} không ở trạng thái chờ ({before}); hãy yêu cầu lập lại."
            )
        job = yearly_jobs.generated_report_run(report_id=report_id)
        if job.status == GeneratedReport.Status.DONE:
            self.stdout.write(f"Đã lập báo cáo số {job.pk} (phiên bản {job.version}): PDF {job.checksum}")
        else:
            raise CommandError(f"Báo cáo số {job.pk}: {job.get_status_display()} — {job.error}")
