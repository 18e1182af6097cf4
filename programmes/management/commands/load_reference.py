from django.core.management.base import BaseCommand

from programmes.reference import load_reference


class Command(BaseCommand):
    help = "Nạp dữ liệu tham chiếu của chương trình (quyết định, chỉ tiêu, danh mục hoạt động, xã/phường, mức hỗ trợ)."

    def handle(self, *args, **options):
        load_reference(log=lambda msg: self.stdout.write(self.style.SUCCESS(msg)))
