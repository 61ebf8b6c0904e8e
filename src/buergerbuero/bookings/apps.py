from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "buergerbuero.bookings"
    label = "bookings"
