from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.bookings.forms import BookingForm


class StaffBookingForm(BookingForm):
    """Booking for a caller on the phone: a free time of the day, then the usual fields."""

    slot = forms.ChoiceField(label=_("Time and kind"))

    def __init__(self, *args, kinds, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots
        self.order_fields(["slot", "display_name", "phone", "email", "topic"])
