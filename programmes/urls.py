from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("ky-binh-chon/", views.selection_rounds, name="selection_rounds"),
]

from . import collaborators  # noqa: E402

urlpatterns += [
    path("cong-tac-vien/", collaborators.collaborator_list, name="collaborators"),
    path("cong-tac-vien/them/", collaborators.collaborator_create, name="collaborator_create"),
    path("cong-tac-vien/<int:pk>/", collaborators.collaborator_edit, name="collaborator_edit"),
    path("cong-tac-vien/<int:pk>/ket-thuc/", collaborators.collaborator_end, name="collaborator_end"),
]
