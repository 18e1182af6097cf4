from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("dang-ky/", views.register, name="register"),
    path("bao-ve-du-lieu-ca-nhan/", views.privacy_notice, name="privacy"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("ho-so/", views.my_profile, name="my_profile"),
    path("du-lieu-cua-toi/", views.my_data, name="my_data"),
    path("danh-sach/", views.applicant_list, name="list"),
    path("xac-minh/", views.verification_queue, name="verification_queue"),
    path("nhap-ho-so-giay/", views.staff_entry, name="staff_entry"),
    path("nhap-tep/", views.import_applicants, name="import"),
    path("nhap-tep/mau.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sua/", views.edit, name="edit"),
    path("<int:pk>/dong-y-du-lieu/", views.consent, name="consent"),
    path("<int:pk>/xac-minh/", views.review, name="review"),
    path("<int:pk>/thanh-vien/", views.members, name="members"),
    path("<int:pk>/thanh-vien/bot/", views.member_remove, name="member_remove"),
    path("<int:pk>/thanh-vien/roi/", views.member_leave, name="member_leave"),
    path("<int:pk>/thanh-vien/huy-loi-moi/", views.invitation_cancel, name="invitation_cancel"),
    path("loi-moi/", views.invitations, name="invitations"),
    path("loi-moi/<int:invitation_pk>/", views.invitation_answer, name="invitation_answer"),
    path("<int:applicant_pk>/de-nghi/moi/", views.request_create, name="request_create"),
    path("de-nghi/", views.my_requests, name="my_requests"),
    path("de-nghi/danh-sach/", views.request_list, name="request_list"),
    path("de-nghi/<int:pk>/", views.request_detail, name="request_detail"),
    path("de-nghi/<int:pk>/sua/", views.request_edit, name="request_edit"),
    path("de-nghi/<int:pk>/xu-ly/", views.request_triage, name="request_triage"),
]
