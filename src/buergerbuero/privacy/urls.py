from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("datenschutz/", views.notice, name="notice"),
    path("termin/<slug:token>/daten/", views.my_data, name="my_data"),
    path("termin/<slug:token>/daten/loeschen/", views.erase, name="erase"),
    path("konsole/datenschutz/verzeichnis/", views.processing_record, name="processing_record"),
    path(
        "konsole/datenschutz/verzeichnis.json",
        views.processing_record_json,
        name="processing_record_json",
    ),
]
