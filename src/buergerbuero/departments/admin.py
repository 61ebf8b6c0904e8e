"""Django's admin for superusers (administrators and leads use the staff area's
administration): the same words and formats as there, opening hours in HH:MM and the
time zone from the list."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .actions import UNKNOWN_TIME_ZONE, parse_time, time_zones
from .models import Department, OpeningHours, minute_label

NOT_A_TIME = _("Please write HH:MM between 00:00 and 24:00, e.g. 08:30.")


class TimeField(forms.CharField):
    """Minutes since midnight, shown and typed as HH:MM."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 5, "maxlength": 5, "placeholder": "08:00"})

    def prepare_value(self, value):
        return minute_label(value) if isinstance(value, int) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        minute = parse_time(text)
        if minute is None:
            raise forms.ValidationError(NOT_A_TIME, code="invalid")
        return minute


class OpeningHoursForm(forms.ModelForm):
    opens_minute = TimeField(label=_("opens"))
    closes_minute = TimeField(label=_("closes"))

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_minute", "closes_minute"]

    def clean(self):
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_minute"), cleaned.get("closes_minute")
        if opens is not None and closes is not None and opens >= closes:
            self.add_error("closes_minute", _("The range must end after it starts."))
        return cleaned


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    form = OpeningHoursForm
    extra = 1


class DepartmentAdminForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("time zone"), error_messages={"invalid_choice": UNKNOWN_TIME_ZONE}
    )

    class Meta:
        model = Department
        fields = "__all__"  # noqa: DJ007 - the admin shows every field of a department

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in time_zones()]  # type: ignore[attr-defined]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentAdminForm
    list_display = ["name", "slug", "time_zone", "is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
