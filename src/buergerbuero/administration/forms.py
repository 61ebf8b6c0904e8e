"""Forms of the administration: every error is linked to its field (aria-describedby,
aria-invalid) and listed in the summary at the top (administration/_errors.html)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from buergerbuero.departments.actions import time_zones
from buergerbuero.departments.models import Department
from buergerbuero.policy.models import SecurityPolicy
from buergerbuero.staff.models import Role

NOT_A_MEMBER = ""


class AccessibleForm:
    """Links each field's error paragraph (id `<field id>_error`) to the field."""

    def add_error(self, field, error):
        super().add_error(field, error)  # type: ignore[misc]
        for name in list(self.errors):  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            bound = self[name]  # type: ignore[index]
            described = [f"{bound.auto_id}_error"]
            if bound.help_text:
                described.append(f"{bound.auto_id}_helptext")
            bound.field.widget.attrs["aria-describedby"] = " ".join(described)
            bound.field.widget.attrs["aria-invalid"] = "true"


class DepartmentForm(AccessibleForm, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=60,
        help_text=_(
            "Part of the address of the department's page: lower-case letters, digits, hyphens."
        ),
    )
    summary = forms.CharField(label=_("Short description"), max_length=240, required=False)
    description = forms.CharField(
        label=_("What we offer"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_address = forms.CharField(label=_("Address"), max_length=240, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    holiday_subdivision = forms.CharField(
        label=_("Public holidays of"),
        max_length=8,
        required=False,
        initial="NW",
        help_text=_("Region code, e.g. NW for North Rhine-Westphalia"),
    )

    accepts_callbacks = forms.BooleanField(
        label=_("Accepts callback requests"),
        required=False,
        help_text=_(
            "While the office is closed or nobody is available, citizens may leave a "
            "telephone number and a time; staff see the requests in their console."
        ),
    )
    related_departments = forms.ModelMultipleChoiceField(
        label=_("Related departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Shown to citizens, where open, while this department is closed or nobody is available."
        ),
    )

    def __init__(self, *args, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in time_zones()]  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = time_zones()[0]
        others = Department.objects.filter(is_active=True)
        if department is not None:
            others = others.exclude(pk=department.pk)
        self.fields["related_departments"].queryset = others  # type: ignore[attr-defined]


class ClosureForm(AccessibleForm, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason (internal)"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and starts_at >= ends_at:
            self.add_error("ends_at", _("The closure must end after it starts."))
        return cleaned


def role_choices():
    return [(NOT_A_MEMBER, _("not a member")), *Role.choices]


class MemberForm(AccessibleForm, forms.Form):
    """One step: name, e-mail, a role per department the editor manages, and (for
    administrators) the administrator flag."""

    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Also the user name."))
    is_administrator = forms.BooleanField(label=_("Administrator"), required=False)

    def __init__(self, *args, departments, may_administer: bool, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = list(departments)
        if not new:
            del self.fields["name"]
            del self.fields["email"]
        if not may_administer:
            del self.fields["is_administrator"]
        for department in self.departments:
            self.fields[f"role_{department.pk}"] = forms.ChoiceField(
                label=department.name, choices=role_choices(), required=False
            )

    def memberships(self) -> dict[int, str]:
        return {
            d.pk: self.cleaned_data[f"role_{d.pk}"]
            for d in self.departments
            if self.cleaned_data.get(f"role_{d.pk}")
        }

    def role_fields(self):
        return [self[f"role_{d.pk}"] for d in self.departments]

    def person_fields(self):
        return [self[name] for name in ("name", "email", "is_administrator") if name in self.fields]


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class ForgotPasswordForm(AccessibleForm, forms.Form):
    email = forms.EmailField(label=_("E-mail"))


class AccessibleSetPasswordForm(AccessibleForm, SetPasswordForm):
    pass


def department_initial(department: Department) -> dict:
    initial = {
        field: getattr(department, field)
        for field in DepartmentForm.base_fields
        if field != "related_departments"
    }
    initial["related_departments"] = list(department.related_departments.all())
    return initial


class SecurityPolicyForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["second_factor_administrators", "second_factor_leads", "second_factor_staff"]
