from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("ky-binh-chon/", views.selection_rounds, name="selection_rounds"),
]
