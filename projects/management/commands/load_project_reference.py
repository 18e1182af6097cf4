from django.core.management.base import BaseCommand

from projects.reference import load_project_reference


class Command(BaseCommand):
    help = "Load the projects app's catalogues (required documents, advance conditions) from fixtures/."

    def handle(self, *args, **options):
        load_project_reference(log=self.stdout.write)
