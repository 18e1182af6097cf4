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
    path("ke-hoach/lap/", plans_views.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/them-muc/", plans_views.plan_item_add, name="plan_item_add"),
    path("ke-hoach/<int:pk>/muc/<int:item_pk>/", plans_views.plan_item_edit, name="plan_item_edit"),
    path("ke-hoach/<int:pk>/muc/<int:item_pk>/xoa/", plans_views.plan_item_delete, name="plan_item_delete"),
    path("ke-hoach/<int:pk>/buoc/<slug:step>/", plans_views.plan_step, name="plan_step"),
    path("ke-hoach/<int:pk>/dieu-chinh/", plans_views.plan_adjust, name="plan_adjust"),
    # the plan's own page and its XLSX read projects: composed in khuyencong.urls
]
