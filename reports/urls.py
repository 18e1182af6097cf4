from django.urls import path

from . import pdf, signatures

app_name = "reports"

urlpatterns = [
    # task E: the unit's official PDF (reports.pdf)
    path("don-vi/<int:pk>/ban-in/", pdf.pdf_status, name="unit_report_pdf_status"),
    path("don-vi/<int:pk>/ban-in/tai-ve/", pdf.pdf_download, name="unit_report_pdf"),
    path("don-vi/<int:pk>/ban-in/tao-lai/", pdf.pdf_retry, name="unit_report_pdf_retry"),
    # task E: the signed copy (reports.signatures)
    path("don-vi/<int:pk>/ban-ky/", signatures.signed_upload, name="unit_report_signed_upload"),
    path("don-vi/<int:pk>/ban-ky/<int:copy_pk>/", signatures.signed_download, name="unit_report_signed"),
]
