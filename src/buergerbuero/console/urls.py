from django.contrib.auth import views as auth_views
from django.urls import path

from . import booking_views, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "anmelden/",
        auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("termine/<slug:slug>/", booking_views.day_view, name="day"),
    path("termine/<slug:slug>/buchen/", booking_views.book_for_caller, name="book_for_caller"),
    path(
        "termine/<slug:slug>/<str:booking_id>/<str:action>/",
        booking_views.booking_action,
        name="booking_action",
    ),
]
