from django.urls import path

from . import unit_views

app_name = "reports"

urlpatterns = [
    path("don-vi/", unit_views.my_reports, name="unit_reports"),
    path("don-vi/<int:pk>/", unit_views.report_detail, name="unit_report"),
    path("don-vi/<int:pk>/buoc/<slug:step>/", unit_views.report_step, name="unit_report_step"),
    path("ky/", unit_views.period_list, name="periods"),
    path("ky/<int:pk>/", unit_views.period_board, name="period_board"),
    path("ky/<int:pk>/khoa-so/", unit_views.period_close, name="period_close"),
    path("ky/<int:pk>/don-vi/", unit_views.period_units, name="period_units"),
]
