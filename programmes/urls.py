from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("ky-binh-chon/", views.selection_rounds, name="selection_rounds"),
]

# Annual plans (issue 12)
from . import plans_views  # noqa: E402

urlpatterns += [
    path("ke-hoach/", plans_views.plan_list, name="plan_list"),
    path("ke-hoach/<int:pk>/", plans_views.plan_detail, name="plan_detail"),
]
