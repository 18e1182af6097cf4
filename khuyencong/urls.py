from django.contrib import admin
from django.urls import include, path

from reports.views import home

from . import views

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("tai-khoan/", include("accounts.urls")),
    path("co-so/", include("applicants.urls")),
    path("de-an/", include("projects.urls")),
    path("bao-cao/", include("reports.urls")),
    path("viec/", include("core.urls")),
    path("quan-tri/", admin.site.urls),
]
# Uploaded files (documents, import drafts) are never served from MEDIA_URL, not even in
# development: every download goes through a view that checks who may see the row.
