from django.urls import path

from . import collaborators, plans_views, views

app_name = "programmes"

urlpatterns = [
    path("ky-binh-chon/", views.selection_rounds, name="selection_rounds"),
    path("cong-tac-vien/", collaborators.collaborator_list, name="collaborators"),
    path("cong-tac-vien/them/", collaborators.collaborator_create, name="collaborator_create"),
    path("cong-tac-vien/<int:pk>/", collaborators.collaborator_edit, name="collaborator_edit"),
    path("cong-tac-vien/<int:pk>/ket-thuc/", collaborators.collaborator_end, name="collaborator_end"),
    # annual plans (issue 12)
    path("ke-hoach/", plans_views.plan_list, name="plan_list"),
    path("ke-hoach/<int:pk>/", plans_views.plan_detail, name="plan_detail"),
]
