from django.contrib import admin
from django.urls import include, path

import accounts.urls
import programmes.urls
import programmes.views
from projects import plan_pages
from reports.views import dashboard, home

from . import audit, guides, views

# The accounts pages, plus the two account forms that also set reporting units (programmes' part)
# and the first page, whose worklist reads every app (reports'): composed here, the one package
# that may import them all.
account_patterns = [
    path("", dashboard, name="dashboard"),
    *accounts.urls.urlpatterns,
    path("nguoi-dung/tao-moi/", programmes.views.user_create, name="user_create"),
    path("nguoi-dung/<int:pk>/", programmes.views.user_edit, name="user_edit"),
]

# The programme's pages, plus the annual plan's page and its XLSX, which read the đề án (projects').
programme_patterns = [
    *programmes.urls.urlpatterns,
    path("ke-hoach/<int:pk>/", plan_pages.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:pk>/doi-chieu.xlsx", plan_pages.plan_reality_xlsx, name="plan_reality_xlsx"),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("huong-dan/", guides.help_index, name="help"),
    path("huong-dan/<slug:slug>/", guides.help_guide, name="help_guide"),
    path("lich-su-thay-doi/<slug:slug>/<int:pk>/", audit.audit_log, name="audit_log"),
    path("tai-khoan/", include((account_patterns, accounts.urls.app_name))),
    path("co-so/", include("applicants.urls")),
    path("chuong-trinh/", include((programme_patterns, programmes.urls.app_name))),
    path("de-an/", include("projects.urls")),
    path("bao-cao/", include("reports.urls")),
    path("viec/", include("core.urls")),
    path("quan-tri/", admin.site.urls),
]
# Uploaded files (documents, import drafts) are never served from MEDIA_URL, not even in
# development: every download goes through a view that checks who may see the row.
