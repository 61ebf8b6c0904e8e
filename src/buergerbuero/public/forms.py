from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.waiting.models import DISPLAY_NAME_MAX, TOPIC_MAX


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
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a name."))
        return name


class GuestForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
