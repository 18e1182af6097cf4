from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from khuyencong.demo import load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu dùng thử (tài khoản mẫu cho mỗi vai trò). Chỉ dùng khi chạy thử, không dùng trên máy chủ thật."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Cho phép chạy cả ở chế độ vận hành.")

    def handle(self, *args, force=False, **options):
        if not settings.LOCAL and not force:
            raise CommandError("Dữ liệu dùng thử không được nạp ở chế độ vận hành (DJANGO_ENV khác local).")
        # The demo's notifications stay in the portal: their e-mails go to memory, not into the
        # setup's output (the console backend of `make run` would print dozens of them).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            load_demo(log=self.stdout.write)
