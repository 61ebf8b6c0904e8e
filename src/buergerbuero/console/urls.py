from django.urls import path

from . import (
    account_views,
    booking_views,
    directory_login,
    directory_views,
    settings_views,
    statistics_views,
    views,
)

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("rueckrufe/", views.callback_list, name="callbacks"),
    path("rueckrufe/<slug:callback_id>/erledigt/", views.callback_done, name="callback_done"),
    path("anmelden/", account_views.StaffLoginView.as_view(), name="login"),
    path("statistik/", statistics_views.overview, name="statistics"),
    # Slugs hold no dot, so these names never meet a department's.
    path("statistik/statistik.csv", statistics_views.overview_csv, name="statistics_csv"),
    path("statistik/<slug:slug>/", statistics_views.department_page, name="department_statistics"),
    path(
        "statistik/<slug:slug>/statistik.csv",
        statistics_views.department_csv,
        name="department_statistics_csv",
    ),
    path("zweiter-faktor/", account_views.second_factor_page, name="second_factor"),
    path("abmelden/", directory_login.StaffLogoutView.as_view(), name="logout"),
    path(
        "anmelden/landkreis/", directory_login.DirectoryLoginView.as_view(), name="directory_login"
    ),
    path(
        "anmelden/landkreis/zurueck/",
        directory_login.DirectoryCallbackView.as_view(),
        name="directory_callback",
    ),
    path("anmelden/landkreis/code/", directory_login.directory_code, name="directory_code"),
    path("verzeichnis/", directory_views.mappings, name="directory"),
    path(
        "verzeichnis/<int:mapping_id>/entfernen/",
        directory_views.remove_mapping,
        name="remove_group_mapping",
    ),
    path("termine/<slug:slug>/", booking_views.day_view, name="day"),
    path("termine/<slug:slug>/buchen/", booking_views.book_for_caller, name="book_for_caller"),
    path(
        "termine/<slug:slug>/einstellungen/",
        settings_views.booking_settings,
        name="booking_settings",
    ),
    path("termine/<slug:slug>/schliessungen/", settings_views.add_closure, name="add_closure"),
    path(
        "termine/<slug:slug>/schliessungen/<int:closure_id>/entfernen/",
        settings_views.delete_closure,
        name="delete_closure",
    ),
    path(
        "termine/<slug:slug>/<slug:booking_id>/absagen/",
        booking_views.cancel_booking,
        name="cancel_booking",
    ),
    path(
        "termine/<slug:slug>/<slug:booking_id>/nicht-erschienen/",
        booking_views.mark_no_show,
        name="mark_no_show",
    ),
]
