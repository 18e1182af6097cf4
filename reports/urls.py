from django.urls import path

from . import pdf

app_name = "reports"

urlpatterns = [
    # task E: the unit's official PDF (reports.pdf)
    path("don-vi/<int:pk>/ban-in/", pdf.pdf_status, name="unit_report_pdf_status"),
    path("don-vi/<int:pk>/ban-in/tai-ve/", pdf.pdf_download, name="unit_report_pdf"),
    path("don-vi/<int:pk>/ban-in/tao-lai/", pdf.pdf_retry, name="unit_report_pdf_retry"),
]
