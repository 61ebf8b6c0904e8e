from django import forms
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _

from buergerbuero.text import clean_text
from buergerbuero.waiting.callbacks import InvalidPhone, normalise_phone
from buergerbuero.waiting.models import CALLBACK_TOPIC_MAX, DISPLAY_NAME_MAX, TOPIC_MAX


def clean_name(value: str) -> str:
    name = clean_text(value, DISPLAY_NAME_MAX)
    if not name.strip("\u200b\u200c\u200d\u2060\ufeff"):
        raise forms.ValidationError(_("Please enter a name."))
    return name


class KnockForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("So that staff can greet you. A first name or a nickname is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    topic = forms.CharField(
        label=_("Your topic (optional)"),
        max_length=TOPIC_MAX,
        required=False,
        help_text=_("A few words, for example a file number. No sensitive details, please."),
    )

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"])


class GuestForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"])


class CallbackForm(forms.Form):
    """A callback request; the windows are the department's coming opening hours."""

    phone = forms.CharField(
        label=_("Your telephone number"),
        max_length=30,
        help_text=_("For example +49 30 1234567 or 030 1234567. Only this office sees it."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )
    window = forms.ChoiceField(
        label=_("When may we call you?"),
        help_text=_("Within the office's opening hours; we call as soon as we can in that time."),
    )
    topic = forms.CharField(
        label=_("Your topic (optional)"),
        max_length=CALLBACK_TOPIC_MAX,
        required=False,
        help_text=_("A few words, for example a file number. No sensitive details, please."),
    )

    def __init__(self, *args, windows, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].choices = [  # type: ignore[attr-defined]
            (w.key, window_label(w, zone)) for w in windows
        ]

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone as error:
            raise forms.ValidationError(str(error)) from None


def window_label(window, zone) -> str:
    """A window as "Mon, 8 Dec 2026, 08:00-12:00" in the department's zone and language."""
    starts = timezone.localtime(window.starts_at, zone)
    ends = timezone.localtime(window.ends_at, zone)
    day = date_format(starts, "D, DATE_FORMAT")
    return f"{day}, {time_format(starts, 'TIME_FORMAT')}–{time_format(ends, 'TIME_FORMAT')}"
