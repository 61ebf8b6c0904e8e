from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    ADMIT = "admit", _("admitted a citizen")
    DECLINE = "decline", _("declined a citizen")
    MESSAGE = "message", _("sent a message to waiting citizens")
    TRANSFER = "transfer", _("passed a citizen on to another department")
    INVITE = "invite", _("created an invitation")
    END_CALL = "end_call", _("ended a call")
    RETURN_TO_QUEUE = "return_to_queue", _("took a citizen back to the waiting room")
    COMPLETE_CALLBACK = "complete_callback", _("called a citizen back")
    VIEW_DAY = "view_day", _("viewed the appointments of a day")
    BOOK_FOR_CALLER = "book_for_caller", _("booked for a caller")
    CANCEL_BOOKING = "cancel_booking", _("cancelled an appointment")
    NO_SHOW = "no_show", _("marked an appointment as no-show")
    ENROL_SECOND_FACTOR = "enrol_second_factor", _("set up an authenticator app")
    RESET_SECOND_FACTOR = "reset_second_factor", _("reset an authenticator app")
    CHANGE_BOOKING_RULES = "change_booking_rules", _("changed the booking rules")
    SAVE_APPOINTMENT_KIND = "save_appointment_kind", _("saved an appointment kind")
    ADD_CLOSURE = "add_closure", _("added a closure")
    REMOVE_CLOSURE = "remove_closure", _("removed a closure")
    ERASE_BOOKING = "erase_booking", _("erased a booking's personal data on request")
    ISSUE_API_TOKEN = "issue_api_token", _("issued an API token")
    REVOKE_API_TOKEN = "revoke_api_token", _("revoked an API token")
    USE_API_TOKEN = "use_api_token", _("used an API token")
    CREATE_DEPARTMENT = "create_department", _("created a department")
    CHANGE_DEPARTMENT = "change_department", _("changed a department")
    DEACTIVATE_DEPARTMENT = "deactivate_department", _("deactivated a department")
    REACTIVATE_DEPARTMENT = "reactivate_department", _("reactivated a department")
    SET_SCHEDULE = "set_schedule", _("set the weekly opening hours")
    ADD_MEMBER = "add_member", _("added a staff member")
    CHANGE_MEMBERSHIPS = "change_memberships", _("changed a member's departments or roles")
    SUSPEND_MEMBER = "suspend_member", _("suspended a staff member")
    REACTIVATE_MEMBER = "reactivate_member", _("reactivated a staff member")
    REMOVE_MEMBER = "remove_member", _("removed a staff member")
    SEND_INVITATION = "send_invitation", _("sent a staff invitation")
    SET_PASSWORD = "set_password", _("set their password from a mailed link")
    SIGN_IN = "sign_in", _("signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("failed to sign in")
    CHANGE_SECURITY_POLICY = "change_security_policy", _("changed the security settings")
    DIRECTORY_SIGN_IN = "directory_sign_in", _("signed in through the directory")
    DIRECTORY_REFUSED = "directory_refused", _("was refused sign-in through the directory")
    ADD_GROUP_MAPPING = "add_group_mapping", _("added a directory group mapping")
    REMOVE_GROUP_MAPPING = "remove_group_mapping", _("removed a directory group mapping")
    CHANGE_RETENTION = "change_retention", _("changed a department's retention periods")


class AuditEvent(models.Model):
    """Who on the staff did what to which citizen's record, and when.

    Only ids, never names, topics, messages or contact data: the log must be keepable for
    longer than the records it points to, and a reader of the log learns nothing about a
    citizen that the records themselves do not show to someone entitled to them.

    Actor and department are references without a database constraint: the event stays
    (with its ids and the actor's user name) when the account or department is deleted.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    department = models.ForeignKey(
        "departments.Department",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # Nobody can be granted "change" or "delete": the log is append-only for staff.
        default_permissions = ("view",)
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action}"
