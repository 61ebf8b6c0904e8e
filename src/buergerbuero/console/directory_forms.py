"""The group mapping editor's form: which directory group gives which role."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerbuero.departments.models import Department
from buergerbuero.directory.models import GroupMapping


class GroupMappingForm(forms.ModelForm):
    class Meta:
        model = GroupMapping
        fields = ["source", "group", "department", "role", "administrator"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = Department.objects.order_by("name")
        department.empty_label = _("(no department)")
        self.fields["group"].widget = forms.TextInput(attrs={"autocomplete": "off"})
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"

    def clean_group(self):
        group = self.cleaned_data["group"].strip()
        if not group:
            raise forms.ValidationError(_("Please enter the group."), code="required")
        return group

    def clean(self):
        cleaned = super().clean() or {}
        if not cleaned.get("department") and not cleaned.get("administrator"):
            self.add_error(
                "department",
                _("Choose a department, or make the group's members administrators."),
            )
        source, group = cleaned.get("source"), cleaned.get("group")
        if (
            source
            and group
            and GroupMapping.objects.filter(
                source=source, group__iexact=group, department=cleaned.get("department")
            ).exists()
        ):
            self.add_error("group", _("This group is already mapped to this department."))
        return cleaned

    def described(self):
        """Mark every field with an error as invalid and point it at its message."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(
                    [
                        f"id_{name}-error",
                        *([f"id_{name}-help"] if self.fields[name].help_text else []),
                    ]
                )
        return self
