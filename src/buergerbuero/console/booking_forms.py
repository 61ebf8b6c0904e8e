from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.bookings.forms import BookingForm
from buergerbuero.bookings.models import CELL_MINUTES, AppointmentKind, BookingSettings


class StaffBookingForm(BookingForm):
    """Booking for a caller on the phone: a free time of the day, then the usual fields."""

    slot = forms.ChoiceField(label=_("Time and kind"))

    def __init__(self, *args, kinds, slots, **kwargs):
        super().__init__(*args, **kwargs)
        slot = self.fields["slot"]
        assert isinstance(slot, forms.ChoiceField)  # declared above
        slot.choices = slots
        self.order_fields(["slot", "display_name", "phone", "email", "topic"])


class BookingSettingsForm(forms.ModelForm):
    class Meta:
        model = BookingSettings
        fields = [
            "parallel_staff",
            "slot_rhythm_minutes",
            "buffer_minutes",
            "horizon_days",
            "min_notice_minutes",
        ]

    def clean_buffer_minutes(self):
        return _multiple_of_cell(self.cleaned_data["buffer_minutes"])


def _multiple_of_cell(minutes: int) -> int:
    if minutes % CELL_MINUTES:
        raise forms.ValidationError(
            _("Please use a multiple of %(n)s minutes.") % {"n": CELL_MINUTES}
        )
    return minutes


class AppointmentKindForm(forms.ModelForm):
    class Meta:
        model = AppointmentKind
        fields = [
            "name",
            "mode",
            "duration_minutes",
            "slot_rhythm_minutes",
            "location",
            "is_active",
        ]

    def clean_duration_minutes(self):
        return _multiple_of_cell(self.cleaned_data["duration_minutes"])

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("mode") == "in_person" and not cleaned.get("location"):
            self.add_error("location", _("In-person visits need an address."))
        return cleaned


class ClosureForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason (internal)"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean() or {}
        if (
            cleaned.get("starts_at")
            and cleaned.get("ends_at")
            and cleaned["starts_at"] >= cleaned["ends_at"]
        ):
            raise forms.ValidationError(_("The closure must end after it starts."))
        return cleaned
