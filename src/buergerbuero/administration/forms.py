"""Forms of the administration: every error is linked to its field (aria-describedby,
aria-invalid) and listed in the summary at the top (administration/_errors.html)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from buergerbuero.departments.actions import UNKNOWN_TIME_ZONE, time_zones
from buergerbuero.departments.models import Department
from buergerbuero.policy.models import SecurityPolicy
from buergerbuero.privacy.actions import RETENTION_FIELDS
from buergerbuero.privacy.models import MAX_RETENTION_DAYS, RetentionPolicy
from buergerbuero.privacy.retention import KINDS, default_retention
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
    time_zone = forms.ChoiceField(
        label=_("Time zone"), error_messages={"invalid_choice": UNKNOWN_TIME_ZONE}
    )
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


LOCAL = "local"
DIRECTORY = "directory"
PERSON_FIELDS = (
    "name",
    "account_type",
    "email",
    "directory_source",
    "directory_account",
    "is_administrator",
)


class MemberForm(AccessibleForm, forms.Form):
    """One step: name, the account (local with an invitation by e-mail, or the county's
    directory account), a role per department the editor manages, and (for
    administrators) the administrator flag."""

    name = forms.CharField(label=_("Name"), max_length=150)
    account_type = forms.ChoiceField(
        label=_("Account"),
        choices=[
            (LOCAL, _("Local account: an invitation by e-mail to set a password")),
            (DIRECTORY, _("County account (directory): signs in through the directory")),
        ],
        initial=LOCAL,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Local account: also the user name, and the invitation goes there."),
    )
    directory_source = forms.ChoiceField(label=_("Directory"), required=False)
    directory_account = forms.CharField(
        label=_("Directory account"),
        max_length=150,
        required=False,
        help_text=_(
            "LDAP / Active Directory: the user name they sign in with (uid or "
            "sAMAccountName). OpenID Connect: their user name or e-mail address at the "
            "identity provider, or their subject (sub)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    is_administrator = forms.BooleanField(label=_("Administrator"), required=False)

    def __init__(
        self,
        *args,
        departments,
        may_administer: bool,
        new: bool = True,
        sources: tuple[tuple[str, str], ...] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.departments = list(departments)
        if not new:
            for name in PERSON_FIELDS[:-1]:
                del self.fields[name]
        elif not sources:
            # No directory on this server: local accounts only, the e-mail is needed.
            for name in ("account_type", "directory_source", "directory_account"):
                del self.fields[name]
            self.fields["email"].required = True
            self.fields["email"].help_text = _("Also the user name.")
        else:
            self.fields["directory_source"].choices = sources  # type: ignore[attr-defined]
            self.fields["directory_source"].initial = sources[0][0]
            if len(sources) == 1:
                self.fields["directory_source"].widget = forms.HiddenInput()
        if not may_administer:
            del self.fields["is_administrator"]
        for department in self.departments:
            self.fields[f"role_{department.pk}"] = forms.ChoiceField(
                label=department.name, choices=role_choices(), required=False
            )

    def clean(self):
        cleaned = super().clean() or {}
        if "account_type" not in self.fields:
            return cleaned
        if cleaned.get("account_type") == DIRECTORY:
            if not cleaned.get("directory_account", "").strip() and not self.has_error(
                "directory_account"
            ):
                self.add_error(
                    "directory_account",
                    _("Please enter the directory account (user name, e-mail or subject)."),
                )
            if not cleaned.get("directory_source"):
                self.add_error("directory_source", _("Please choose the directory."))
        elif not cleaned.get("email") and not self.has_error("email"):
            self.add_error("email", _("Please enter the e-mail address for the invitation."))
        return cleaned

    def is_directory(self) -> bool:
        return self.cleaned_data.get("account_type") == DIRECTORY

    def memberships(self) -> dict[int, str]:
        return {
            d.pk: self.cleaned_data[f"role_{d.pk}"]
            for d in self.departments
            if self.cleaned_data.get(f"role_{d.pk}")
        }

    def role_fields(self):
        return [self[f"role_{d.pk}"] for d in self.departments]

    def person_fields(self):
        return [self[name] for name in PERSON_FIELDS if name in self.fields]


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


class RetentionForm(AccessibleForm, forms.ModelForm):
    """A department's retention periods in days; empty: the installation's default, which
    each field names."""

    class Meta:
        model = RetentionPolicy
        fields = list(RETENTION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = default_retention()
        for kind in KINDS:
            field = self.fields[f"{kind}_days"]
            field.help_text = _(
                "Empty: the installation's default, %(days)s days. At most %(max)s days."
            ) % {"days": getattr(defaults, kind), "max": MAX_RETENTION_DAYS}
            field.widget.attrs.update({"min": 0, "max": MAX_RETENTION_DAYS, "inputmode": "numeric"})
            field.error_messages["max_value"] = _(
                "At most %(limit_value)s days (ten years). Leave it empty for the default."
            )
            field.error_messages["min_value"] = _("Please enter 0 or more days.")
            field.error_messages["invalid"] = _("Please enter a whole number of days, e.g. 30.")

    def days_fields(self):
        return [self[f"{kind}_days"] for kind in KINDS]
