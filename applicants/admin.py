from django.contrib import admin

from .models import (
    Applicant,
    ApplicantReview,
    ArtisanTitle,
    NoOtherSupportDeclaration,
    PrivacyConsent,
    PrivacyNotice,
    SupportRequest,
    SupportRequestEvent,
)


class ArtisanTitleInline(admin.TabularInline):
    model = ArtisanTitle
    extra = 0


class ApplicantReviewInline(admin.TabularInline):
    model = ApplicantReview
    extra = 0
    readonly_fields = ("decision", "actor", "at", "reason")
    can_delete = False


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "tax_code", "commune", "verification_status", "entered_by_staff")
    list_filter = ("kind", "verification_status", "entered_by_staff")
    search_fields = ("name", "tax_code", "registration_number", "phone", "search_text")
    raw_id_fields = ("owner", "created_by", "commune")
    filter_horizontal = ("members",)
    inlines = [ArtisanTitleInline, ApplicantReviewInline]


class SupportRequestEventInline(admin.TabularInline):
    model = SupportRequestEvent
    extra = 0
    readonly_fields = ("from_status", "to_status", "actor", "at", "comment")
    can_delete = False


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "applicant", "year", "activity", "status")
    list_filter = ("status", "year", "activity")
    search_fields = ("code", "title", "search_text")
    raw_id_fields = ("applicant", "created_by")
    inlines = [SupportRequestEventInline]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """A new version is a new row (valid from a date); a version consents point at is kept."""

    list_display = ["version", "valid_from", "created_at"]


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(admin.ModelAdmin):
    list_display = ["applicant", "notice", "on_paper", "given_at", "withdrawn_at"]
    list_filter = ["on_paper", "notice"]
    raw_id_fields = ["applicant"]
    readonly_fields = ["given_by", "withdrawn_by"]


@admin.register(NoOtherSupportDeclaration)
class NoOtherSupportDeclarationAdmin(admin.ModelAdmin):
    list_display = ["applicant", "year", "activity", "on_paper", "declared_at"]
    list_filter = ["year", "on_paper"]
    raw_id_fields = ["applicant", "support_request"]
    readonly_fields = ["declared_by"]
