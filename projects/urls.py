from django.urls import path

from . import pdf, plan_pages, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("cua-toi/", views.project_mine, name="mine"),
    path("them/", views.project_create, name="create"),
    path("tim-don-vi-thu-huong/", views.beneficiary_search, name="beneficiary_search"),
    path("tu-de-nghi/", views.project_from_request, name="from_request"),
    path("nhap/", views.project_import, name="import"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/sua/", views.project_edit, name="edit"),
    path("<int:pk>/tom-tat.pdf", pdf.approval_summary_pdf, name="approval_summary"),
    path("<int:pk>/buoc/<slug:step>/", views.project_transition, name="transition"),
    path("<int:pk>/dieu-chinh/", views.project_adjust, name="adjust"),
    path("<int:pk>/tien-do/", views.progress_add, name="progress_add"),
    path("<int:pk>/chi/", views.payment_add, name="payment_add"),
    path("<int:pk>/thu-hoi-tam-ung/", views.recovery_add, name="recovery_add"),
    path("<int:pk>/phan-ho-tro/", views.beneficiary_shares, name="shares"),
    path("<int:pk>/tien-do/xac-nhan/", views.progress_confirm, name="progress_confirm"),
    path("<int:pk>/muc-ke-hoach/", plan_pages.project_plan_item, name="plan_item"),
    path("<int:pk>/kinh-phi-theo-nam/", plan_pages.project_plan_shares, name="plan_shares"),
    path("<int:pk>/tai-lieu/", views.document_upload, name="document_upload"),
    path("<int:pk>/tai-lieu/<int:doc_pk>/", views.document_download, name="document_download"),
]
