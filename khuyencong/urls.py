from django.conf import settings
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
    path("quan-tri/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
