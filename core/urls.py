from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("<int:pk>/", views.file_job_status, name="file_job_status"),
    path("<int:pk>/tai-ve/", views.file_job_download, name="file_job_download"),
]
