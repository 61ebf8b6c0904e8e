"""The data inventory: every kind of personal data the office handles, why, on which
legal basis, where it is stored, who sees it, how long it is kept and how it goes.

One list feeds the privacy notice (/datenschutz/), the record of processing activities
for administrators and the checks in tests/privacy/test_inventory.py (every stored
field named here exists; every text field of our models is named here or declared not
personal). docs/privacy.md explains the same table for people.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .retention import Retention

PUBLIC_TASK = _(
    "Art. 6(1)(e) GDPR: performance of a task in the public interest, together with the "
    "law that assigns the department its task."
)
SPECIAL_CATEGORIES = _(
    "Where a department handles health or other special categories of data (for example "
    "HIV or pregnancy counselling): in addition Art. 9(2)(h) or (g) GDPR together with "
    "the national law for that counselling service."
)
NECESSARY_COOKIES = _(
    "§ 25(2) no. 2 TDDDG: strictly necessary for the service you asked for, so no "
    "consent is needed; otherwise Art. 6(1)(e) GDPR."
)
SECURITY = _("Art. 6(1)(e) GDPR together with Art. 32 GDPR (security of processing).")
EMPLOYMENT = _(
    "Art. 6(1)(b), (c) and (e) GDPR together with Art. 88 GDPR and the employment data "
    "protection rules (for example § 26 BDSG or the state's data protection law)."
)
NO_PERSONAL_DATA = _("None needed: these figures contain no personal data.")


def _count(text: str, days: int) -> str:
    return text % {"days": days}


# The texts are lazy translations, turned into text in the reader's language when shown.
Text = str | Promise


@dataclass(frozen=True, kw_only=True)
class Processing:
    key: str
    title: Text
    subjects: Text
    data: Text
    purpose: Text
    legal_basis: Text
    # "app.Model.field" of every database column (the tests check they exist).
    stored_in: tuple[str, ...] = ()
    recipients: Text
    retention: Callable[[Retention], str]
    deletion: Text
    # Retention fields a department can set for this processing.
    retention_kinds: tuple[str, ...] = ()
    # Where it is kept outside the database, if anywhere.
    stored_elsewhere: Text = ""
    special_categories_possible: bool = False


def _session_retention(_retention: Retention) -> str:
    return gettext(
        "The session ends %(hours)d hours after your last visit; the server deletes it at "
        "the next hourly clean-up. The csrftoken cookie stays in your browser for up to a "
        "year and contains only a random value; django_language, only if you chose a "
        "language, for a year and contains only that language's code (such as de or tr)."
    ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}


def _log_retention(_retention: Retention) -> str:
    days = settings.PRIVACY_ACCESS_LOG_DAYS
    if not days:
        return gettext("No log with IP addresses is kept.")
    return _count(
        ngettext(
            "Access logs are deleted after %(days)d day.",
            "Access logs are deleted after %(days)d days.",
            days,
        ),
        days,
    )


INVENTORY: tuple[Processing, ...] = (
    Processing(
        key="queue",
        title=_("Knocking and waiting"),
        subjects=_("Citizens who knock at a department."),
        data=_(
            "The name you enter (a first name or nickname is enough), your topic if you give "
            "one, the page language, when you knocked and how your visit ended; a short "
            "message from staff if they cannot see you. While you wait: when your page was "
            "last heard from, and whether it lost its connection, went to the background or "
            "missed its call."
        ),
        purpose=_(
            "So that staff can greet you and serve people in the order they arrived, and you "
            "can see your place in the queue."
        ),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "waiting.QueueEntry.display_name",
            "waiting.QueueEntry.topic",
            "waiting.QueueEntry.language",
            "waiting.QueueEntry.decline_message",
            "waiting.QueueEntry.transfer_note",
            "waiting.QueueEntry.created_at",
            "waiting.QueueEntry.resolved_at",
            "waiting.QueueEntry.seen_at",
            "waiting.QueueEntry.disconnected_at",
            "waiting.QueueEntry.backgrounded_at",
            "waiting.QueueEntry.missed_call_at",
        ),
        recipients=_("Staff of this department, in their console, while you wait."),
        retention=lambda r: _count(
            ngettext(
                "Name, topic, language and message are removed %(days)d day after you were "
                "admitted, declined or left.",
                "Name, topic, language and message are removed %(days)d days after you were "
                "admitted, declined or left.",
                r.queue_entries,
            ),
            r.queue_entries,
        ),
        deletion=_(
            "Anonymised: the personal fields are emptied; state and times remain for the "
            "statistics."
        ),
        retention_kinds=("queue_entries",),
        special_categories_possible=True,
    ),
    Processing(
        key="calls",
        title=_("Video consultation"),
        subjects=_("Citizens, guests invited into a call (for example interpreters), staff."),
        data=_(
            "The names shown in the call and when each person joined and left. Picture, "
            "sound, screen and chat are not stored."
        ),
        purpose=_("To connect the people of a consultation and show them each other's names."),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "calls.Participant.display_name",
            "calls.Participant.joined_at",
            "calls.Participant.left_at",
            "calls.Room.created_at",
            "calls.Room.ended_at",
        ),
        recipients=_("The other participants of the same call."),
        retention=lambda r: _count(
            ngettext(
                "Names are removed %(days)d day after the call ended.",
                "Names are removed %(days)d days after the call ended.",
                r.rooms,
            ),
            r.rooms,
        ),
        deletion=_("Anonymised: the names are emptied; the call's times remain."),
        retention_kinds=("rooms",),
        special_categories_possible=True,
    ),
    Processing(
        key="callbacks",
        title=_("Callback requests"),
        subjects=_("Citizens who ask a closed or unstaffed department to call them back."),
        data=_(
            "Your telephone number, the time you chose, your topic if you give one, the "
            "page language and when you asked."
        ),
        purpose=_("So that staff of the department can call you back at a time that suits you."),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "waiting.CallbackRequest.phone",
            "waiting.CallbackRequest.window_starts_at",
            "waiting.CallbackRequest.window_ends_at",
            "waiting.CallbackRequest.topic",
            "waiting.CallbackRequest.language",
            "waiting.CallbackRequest.created_at",
        ),
        recipients=_("Staff of this department, in their console, until they have called you."),
        retention=lambda r: _count(
            ngettext(
                "Deleted as soon as staff have called you back, at the latest %(days)d day "
                "after the end of the time you chose.",
                "Deleted as soon as staff have called you back, at the latest %(days)d days "
                "after the end of the time you chose.",
                settings.CALLBACK_RETENTION_DAYS,
            ),
            settings.CALLBACK_RETENTION_DAYS,
        ),
        deletion=_("Deleted entirely."),
        special_categories_possible=True,
    ),
    Processing(
        key="invitations",
        title=_("Invitations to a call"),
        subjects=_("Guests invited into a call."),
        data=_("The label staff give an invitation link, usually the guest's name."),
        purpose=_("To let exactly one more person into a running consultation."),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "calls.Invitation.label",
            "calls.Invitation.created_at",
            "calls.Invitation.expires_at",
            "calls.Invitation.used_at",
        ),
        recipients=_("The staff member who invited, and whoever opens the link."),
        retention=lambda r: _count(
            ngettext(
                "Deleted %(days)d day after the link expired.",
                "Deleted %(days)d days after the link expired.",
                r.invitations,
            ),
            r.invitations,
        ),
        deletion=_("The label is emptied when the call ends; the link is deleted later."),
        retention_kinds=("invitations",),
    ),
    Processing(
        key="bookings",
        title=_("Appointments"),
        subjects=_("Citizens who book, or for whom staff book on the phone."),
        data=_(
            "Name, e-mail address and phone number (both optional), topic (optional), page "
            "language, the appointment's time and kind, its status, and a message from staff "
            "if they cancel."
        ),
        purpose=_(
            "To keep the appointment, let staff prepare and call back, and send confirmation, "
            "change, reminder and cancellation mails."
        ),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "bookings.Booking.display_name",
            "bookings.Booking.email",
            "bookings.Booking.phone",
            "bookings.Booking.topic",
            "bookings.Booking.language",
            "bookings.Booking.cancel_message",
            "bookings.Booking.starts_at",
            "bookings.Booking.status",
        ),
        recipients=_(
            "Staff of this department (appointments of the day); you, with the booking link "
            "or code."
        ),
        retention=lambda r: " ".join(
            [
                _count(
                    ngettext(
                        "Removed %(days)d day after the appointment,",
                        "Removed %(days)d days after the appointment,",
                        r.bookings,
                    ),
                    r.bookings,
                ),
                _count(
                    ngettext(
                        "a cancelled appointment %(days)d day after the cancellation.",
                        "a cancelled appointment %(days)d days after the cancellation.",
                        r.cancelled_bookings,
                    ),
                    r.cancelled_bookings,
                ),
                gettext("At once when you delete it on the “My data” page of your booking."),
            ]
        ),
        deletion=_(
            "Anonymised: the personal fields are emptied, the booking's mails deleted; time, "
            "kind and status remain for the statistics."
        ),
        retention_kinds=("bookings", "cancelled_bookings"),
        special_categories_possible=True,
    ),
    Processing(
        key="mails",
        title=_("Appointment mails"),
        subjects=_("Citizens who gave an e-mail address with a booking."),
        data=_(
            "The address, the subject and the text (your name, the time, the booking link), "
            "and any delivery error."
        ),
        purpose=_("To confirm, change, remind of and cancel appointments."),
        legal_basis=PUBLIC_TASK,
        stored_in=(
            "bookings.OutgoingMail.to",
            "bookings.OutgoingMail.subject",
            "bookings.OutgoingMail.body",
            "bookings.OutgoingMail.last_error",
            "bookings.OutgoingMail.sent_at",
        ),
        recipients=_("The office's outgoing mail server and your mail provider."),
        retention=lambda r: " ".join(
            [
                _count(
                    ngettext(
                        "Deleted %(days)d day after sending;",
                        "Deleted %(days)d days after sending;",
                        r.mails,
                    ),
                    r.mails,
                ),
                _count(
                    ngettext(
                        "a mail that could not be delivered %(days)d day after the last attempt;",
                        "a mail that could not be delivered %(days)d days after the last attempt;",
                        r.failed_mails,
                    ),
                    r.failed_mails,
                ),
                gettext("all mails of a booking when the booking is anonymised or deleted."),
            ]
        ),
        deletion=_("Deleted."),
        retention_kinds=("mails", "failed_mails"),
    ),
    Processing(
        key="sessions",
        title=_("Cookies and session"),
        subjects=_("Everyone who visits the office."),
        data=_(
            "Three cookies: sessionid (a random key), csrftoken (a random value against "
            "forged form submissions) and django_language (the language you chose). On the "
            "server the session holds which queue places and call seats are yours (random "
            "ids) and short notices for the next page."
        ),
        purpose=_(
            "So that a reload keeps your place in the queue and your seat in the call, forms "
            "cannot be sent by other sites in your name, and the office speaks your language."
        ),
        legal_basis=NECESSARY_COOKIES,
        stored_in=("sessions.Session.session_data", "sessions.Session.expire_date"),
        recipients=_("Nobody."),
        retention=_session_retention,
        deletion=_("Deleted."),
    ),
    Processing(
        key="rate_limits",
        title=_("Protection against abuse"),
        subjects=_(
            "Everyone who books, cancels, deletes a booking or enters a booking code; staff "
            "who sign in."
        ),
        data=_(
            "Your IP address, as part of a counter of attempts; for staff sign-in a hash of "
            "user name and address."
        ),
        purpose=_(
            "To stop scripts from booking every appointment, guessing booking codes or "
            "guessing staff passwords."
        ),
        legal_basis=SECURITY,
        stored_elsewhere=_(
            "A counter named after the action and your IP address in the cache (Redis or "
            "the server's memory), never in the database."
        ),
        recipients=_("Nobody."),
        retention=lambda r: gettext(
            "A counter expires after one hour, a sign-in counter after the sign-in window."
        ),
        deletion=_("Expires automatically."),
    ),
    Processing(
        key="signalling",
        title=_("Chat and connection set-up in a call"),
        subjects=_("Participants of a call."),
        data=_(
            "Chat messages, and the network addresses and media parameters the browsers "
            "exchange to connect directly."
        ),
        purpose=_("To connect the browsers of a consultation and pass chat messages on."),
        legal_basis=PUBLIC_TASK,
        stored_elsewhere=_(
            "Not stored: passed from one browser to the others through the server's "
            "memory (or Redis with several server processes)."
        ),
        recipients=_("The other participants of the same call."),
        retention=lambda r: gettext(
            "Not stored. A message that cannot be delivered is dropped after one minute."
        ),
        deletion=_("Not stored."),
        special_categories_possible=True,
    ),
    Processing(
        key="media",
        title=_("Picture, sound and documents"),
        subjects=_("Participants of a call."),
        data=_(
            "Picture, sound and shared screen; documents (PDF files and pictures) that "
            "participants send each other during the call."
        ),
        purpose=_("The consultation itself."),
        legal_basis=PUBLIC_TASK,
        stored_elsewhere=_(
            "Not stored: sent directly between the browsers, end-to-end encrypted "
            "(DTLS-SRTP; documents over an encrypted data channel of the same connection). "
            "Nothing is recorded. A received document stays in the memory of the receiving "
            "browser until the call ends, unless its recipient saves it."
        ),
        recipients=_(
            "The other participants. If a direct connection is impossible, the office's own "
            "relay server (TURN) forwards the encrypted packets: it sees network addresses, "
            "timing and volume, never picture, sound or documents."
        ),
        retention=lambda r: gettext("Not stored."),
        deletion=_("Not stored."),
        special_categories_possible=True,
    ),
    Processing(
        key="staff",
        title=_("Staff accounts"),
        subjects=_("Staff and administrators."),
        data=_(
            "User name, name, e-mail address, password hash, departments, availability and "
            "when the console was last seen. Citizens in a call see the staff member's name."
        ),
        purpose=_("Sign-in, access to one's own departments, and the live status of a department."),
        legal_basis=EMPLOYMENT,
        stored_in=(
            "auth.User.username",
            "auth.User.first_name",
            "auth.User.last_name",
            "auth.User.email",
            "auth.User.password",
            "staff.StaffProfile.seen_at",
            "staff.Membership.role",
            "staff.Membership.presence",
            # Directory accounts: the link to the county's directory entry (LDAP DN or
            # the provider's `sub`) and the last sign-in through it.
            "directory.DirectoryAccount.source",
            "directory.DirectoryAccount.subject",
            "directory.DirectoryAccount.signed_in_at",
        ),
        recipients=_("Administrators; citizens in a call see the name."),
        retention=lambda r: gettext(
            "As long as the account exists; administrators delete the accounts of people who leave."
        ),
        deletion=_("Deleted with the account."),
    ),
    Processing(
        key="audit",
        title=_("Audit log of staff actions"),
        subjects=_("Staff; citizens only through the internal number of their record."),
        data=_(
            "Which staff member did what (admit, decline, cancel, view a day's appointments "
            "...) to which record, and when. Never a citizen's name, topic, message or "
            "contact data."
        ),
        purpose=_("To trace who accessed or changed a citizen's record (Art. 5(2), 32 GDPR)."),
        legal_basis=SECURITY,
        stored_in=(
            "audit.AuditEvent.actor_name",
            "audit.AuditEvent.action",
            "audit.AuditEvent.object_id",
            "audit.AuditEvent.detail",
            "audit.AuditEvent.at",
        ),
        recipients=_("Administrators."),
        retention=lambda r: gettext(
            "For the period the operator sets for the audit log (docs/security.md)."
        ),
        deletion=_("Deleted."),
    ),
    Processing(
        key="logs",
        title=_("Server logs"),
        subjects=_("Everyone who visits the office."),
        data=_(
            "Error messages of the office's software, without IP addresses. An access log "
            "with IP addresses and requested addresses only if the administrator keeps one "
            "(see retention)."
        ),
        purpose=_("To find and fix errors and attacks."),
        legal_basis=SECURITY,
        stored_elsewhere=_("The server's system log."),
        recipients=_("Administrators of the office's servers."),
        retention=_log_retention,
        deletion=_("Deleted by log rotation."),
    ),
    Processing(
        key="statistics",
        title=_("Anonymous statistics"),
        subjects=_("Nobody: no person can be identified."),
        data=_(
            "Per department and hour: how many knocked, were admitted, declined, left or "
            "expired; how long the admitted waited and how long consultations lasted, as "
            "counts per time band; bookings, cancellations, no-shows. Also per day (older "
            "figures)."
        ),
        purpose=_("Planning staff and opening hours."),
        legal_basis=NO_PERSONAL_DATA,
        stored_in=(
            "statistics.HourlyFigures.knocks",
            "statistics.HourlyFigures.wait_seconds",
            "statistics.HourlyFigures.consultation_seconds",
            "statistics.HourlyFigures.no_shows",
            "privacy.DailyStatistic.knocks",
            "privacy.DailyStatistic.wait_seconds_total",
            "privacy.DailyStatistic.consultation_seconds_total",
            "privacy.DailyStatistic.no_shows",
        ),
        recipients=_("Department leads (their departments only) and administrators."),
        retention=lambda r: gettext("Kept; they contain no personal data."),
        deletion=_("Not needed."),
    ),
)


def stored_fields() -> set[str]:
    """Every "app.Model.field" the inventory names."""
    return {place for p in INVENTORY for place in p.stored_in}
