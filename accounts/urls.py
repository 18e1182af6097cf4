from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

# The account form pages (create, edit) set reporting units too, which belong to programmes: the
# top package adds them to this namespace (khuyencong/urls.py), so accounts imports no app above it.
# So does the first page (`dashboard`, reports.views): its worklist reads every app.

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("dat-lai-mat-khau/xong/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("thong-bao/", views.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/da-doc/", views.notification_read, name="notification_read"),
    path("thong-bao/da-doc-tat-ca/", views.notifications_read_all, name="notifications_read_all"),
    path("nguoi-dung/", views.user_list, name="user_list"),
    path("nguoi-dung/<int:pk>/dat-mat-khau-tam/", views.user_reset_password, name="user_reset_password"),
]
