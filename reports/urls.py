from django.urls import path

from . import dashboard_views, home, pdf, signatures, unit_views, yearly_views
from .unit_excel import xlsx_download, xlsx_upload

app_name = "reports"

urlpatterns = [
    path("don-vi/", unit_views.my_reports, name="unit_reports"),
    path("don-vi/<int:pk>/", unit_views.report_detail, name="unit_report"),
    path("don-vi/<int:pk>/buoc/<slug:step>/", unit_views.report_step, name="unit_report_step"),
    path("ky/", unit_views.period_list, name="periods"),
    path("ky/<int:pk>/", unit_views.period_board, name="period_board"),
    path("ky/<int:pk>/khoa-so/", unit_views.period_close, name="period_close"),
    path("ky/<int:pk>/don-vi/", unit_views.period_units, name="period_units"),
    # the unit's official PDF and its signed copy
    path("don-vi/<int:pk>/ban-in/", pdf.pdf_status, name="unit_report_pdf_status"),
    path("don-vi/<int:pk>/ban-in/tai-ve/", pdf.pdf_download, name="unit_report_pdf"),
    path("don-vi/<int:pk>/ban-in/tao-lai/", pdf.pdf_retry, name="unit_report_pdf_retry"),
    path("don-vi/<int:pk>/ban-ky/", signatures.signed_upload, name="unit_report_signed_upload"),
    path("don-vi/<int:pk>/ban-ky/<int:copy_pk>/", signatures.signed_download, name="unit_report_signed"),
    # the report's form as XLSX: download pre-filled, upload filled in
    path("don-vi/<int:pk>/excel/", xlsx_download, name="unit_report_xlsx"),
    path("don-vi/<int:pk>/excel/tai-len/", xlsx_upload, name="unit_report_xlsx_upload"),
    # compiled reports to UBND tỉnh and Bộ Công Thương (issue 13)
    path("tong-hop/", yearly_views.generated_list, name="generated"),
    path("tong-hop/mo/", yearly_views.generated_open, name="generated_open"),
    path("tong-hop/<int:pk>/", yearly_views.generated_request, name="generated_request"),
    path("tong-hop/<int:pk>/lap/", yearly_views.generated_build, name="generated_build"),
    path("tong-hop/ban/<int:pk>/", yearly_views.generated_status, name="generated_status"),
    path("tong-hop/ban/<int:pk>/lap-lai/", yearly_views.generated_retry, name="generated_retry"),
    path("tong-hop/ban/<int:pk>/chot/", yearly_views.generated_finalise, name="generated_finalise"),
    path(
        "tong-hop/ban/<int:pk>/ban-ky/", yearly_views.generated_signed_upload, name="generated_signed_upload"
    ),
    path(
        "tong-hop/ban/<int:pk>/ban-ky/<int:copy_pk>/",
        yearly_views.generated_signed_download,
        name="generated_signed",
    ),
    path("tong-hop/ban/<int:pk>/<str:fmt>/", yearly_views.generated_download, name="generated_download"),
    # the programme dashboard (staff, leaders, observers)
    path("tong-quan/", dashboard_views.dashboard, name="dashboard"),
    # the programme's public figures (the home page's), for anyone
    path("so-lieu-cong-khai.csv", home.figures_csv, name="public_figures_csv"),
    path("so-lieu-cong-khai.json", home.figures_json, name="public_figures_json"),
]
