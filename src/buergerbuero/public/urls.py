from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("status.json", views.status_json, name="status_json"),
    path("einbetten/status/", views.embed_status, name="embed_status"),
    path("fachbereich/<slug:slug>/", views.department, name="department"),
    path("fachbereich/<slug:slug>/anklopfen/", views.knock, name="knock"),
    path("warteraum/<str:entry_id>/", views.waiting, name="waiting"),
    path("gespraech/<str:room_id>/", views.call, name="call"),
    path("gespraech/<str:room_id>/beendet/", views.call_ended, name="call_ended"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
]
