from django.contrib import admin

from .models import EmailDelivery, FileJob, ThrottleCounter


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """What happened to each e-mail; rows are written by the mail task only."""

    list_display = ["created_at", "event", "address", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "event"]
    search_fields = ["address", "dedupe_key", "subject"]
    readonly_fields = [field.name for field in EmailDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(FileJob)
class FileJobAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "kind", "version", "requested_by", "status", "progress", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in FileJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ThrottleCounter)
class ThrottleCounterAdmin(admin.ModelAdmin):
    """Windows counted while the cache was down; a staff member may clear one (a locked login)."""

    list_display = ("key", "count", "since")
    search_fields = ("key",)
