from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.public.forms import clean_name
from buergerbuero.waiting.models import DISPLAY_NAME_MAX, TOPIC_MAX


class BookingForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=DISPLAY_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail for confirmation and reminder (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number for questions (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    topic = forms.CharField(label=_("Your topic (optional)"), max_length=TOPIC_MAX, required=False)

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Booking code"), max_length=20)
