from django.urls import path

from . import account_views, retention_views, views

app_name = "administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("fachbereiche/neu/", views.department_new, name="department_new"),
    path("fachbereiche/<slug:slug>/", views.department_edit, name="department_edit"),
    path("fachbereiche/<slug:slug>/zeiten/", views.schedule, name="schedule"),
    path("fachbereiche/<slug:slug>/schliessungen/", views.closures, name="closures"),
    path(
        "fachbereiche/<slug:slug>/schliessungen/<int:closure_id>/entfernen/",
        views.closure_remove,
        name="closure_remove",
    ),
    path(
        "fachbereiche/<slug:slug>/deaktivieren/",
        views.department_active,
        {"active": False},
        name="department_deactivate",
    ),
    path(
        "fachbereiche/<slug:slug>/reaktivieren/",
        views.department_active,
        {"active": True},
        name="department_reactivate",
    ),
    path("mitarbeitende/", views.staff_list, name="staff_list"),
    path("mitarbeitende/neu/", views.staff_add, name="staff_add"),
    path("mitarbeitende/<int:user_id>/", views.staff_edit, name="staff_edit"),
    path(
        "mitarbeitende/<int:user_id>/sperren/",
        views.staff_action,
        {"action": "suspend"},
        name="staff_suspend",
    ),
    path(
        "mitarbeitende/<int:user_id>/entsperren/",
        views.staff_action,
        {"action": "reactivate"},
        name="staff_reactivate",
    ),
    path(
        "mitarbeitende/<int:user_id>/entfernen/",
        views.staff_action,
        {"action": "remove"},
        name="staff_remove",
    ),
    path("mitarbeitende/<int:user_id>/einladen/", views.staff_invite, name="staff_invite"),
    path("sicherheit/", views.security, name="security"),
    path("aufbewahrung/", retention_views.retention, name="retention"),
    path("aufbewahrung/<slug:slug>/", retention_views.retention_edit, name="retention_edit"),
    path("passwort/<str:uidb64>/<str:token>/", account_views.set_password, name="set_password"),
    path("passwort-vergessen/", account_views.forgot_password, name="forgot_password"),
]
