from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("fachbereich/<slug:slug>/termin/", views.choose, name="choose"),
    path("fachbereich/<slug:slug>/termin/<int:kind_id>/<str:start>/", views.book, name="book"),
    path("fachbereich/<slug:slug>/code/", views.check_in_by_code, name="check_in_by_code"),
    path("termin/<slug:token>/", views.manage, name="manage"),
    path("termin/<slug:token>/termin.ics", views.ics, name="ics"),
    path("termin/<slug:token>/qr.svg", views.qr, name="qr"),
    path("termin/<slug:token>/absagen/", views.cancel, name="cancel"),
    path("termin/<slug:token>/verschieben/", views.move, name="move"),
    path("termin/<slug:token>/eintreten/", views.check_in, name="check_in"),
]
