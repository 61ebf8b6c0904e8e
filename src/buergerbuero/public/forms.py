from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.text import clean_text
from buergerbuero.waiting.models import DISPLAY_NAME_MAX, TOPIC_MAX


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
