from django.urls import path

from . import info_pages, sign_language, views

app_name = "public"

# Ids and tokens in paths are `slug`, the alphabet of calls.ids (token_urlsafe): anything
# else is a 404 before a lookup (PostgreSQL refuses a NUL in a query with an error).

urlpatterns = [
    path("", views.overview, name="overview"),
    path("status.json", views.status_json, name="status_json"),
    path("einbetten/status/", views.embed_status, name="embed_status"),
    path("fachbereich/<slug:slug>/", views.department, name="department"),
    path("fachbereich/<slug:slug>/anklopfen/", views.knock, name="knock"),
    path("fachbereich/<slug:slug>/alternativen/", views.alternatives, name="alternatives"),
    path("fachbereich/<slug:slug>/rueckruf/", views.callback, name="callback"),
    path(
        "fachbereich/<slug:slug>/rueckruf/<slug:callback_id>/",
        views.callback_sent,
        name="callback_sent",
    ),
    path(
        "fachbereich/<slug:slug>/rueckruf/<slug:callback_id>/zurueckziehen/",
        views.callback_withdraw,
        name="callback_withdraw",
    ),
    path("warteraum/<slug:entry_id>/", views.waiting, name="waiting"),
    path("gespraech/<slug:room_id>/", views.call, name="call"),
    path("gespraech/<slug:room_id>/beendet/", views.call_ended, name="call_ended"),
    path("einladung/<slug:token>/", views.invitation, name="invitation"),
    path("leichte-sprache/", info_pages.easy_language, name="easy_language"),
    path("gebaerdensprache/", sign_language.sign_language, name="sign_language"),
    path("barrierefreiheit/", info_pages.accessibility, name="accessibility"),
]
