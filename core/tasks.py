from celery import shared_task

from .spreadsheets import purge_stale_drafts


@shared_task
def purge_import_drafts():
    """Daily: delete import previews nobody confirmed (they hold uploaded personal data)."""
    return purge_stale_drafts()
