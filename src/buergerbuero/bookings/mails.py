"""Booking mails: queued in the database with the booking, sent later by the ticker.

A booking never depends on a mail: queuing happens in the booking's transaction, and
sending happens outside any request, retried with growing pauses until it goes out.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from buergerbuero import metrics

from .codes import format_code
from .ics import booking_ics
from .models import Booking, MailKind, OutgoingMail

log = logging.getLogger(__name__)


def booking_link(booking: Booking) -> str:
    return settings.SITE_URL + reverse("bookings:manage", args=[booking.token])


def _queue(booking: Booking, kind: str, send_after=None) -> OutgoingMail | None:
    if not booking.email:
        return None
    with translation.override(booking.language or settings.LANGUAGE_CODE):
        context = {
            "booking": booking,
            "link": booking_link(booking),
            "kind": kind,
            "code": format_code(booking.code),
        }
        subject = " ".join(render_to_string(f"bookings/mail/{kind}_subject.txt", context).split())
        body = render_to_string(f"bookings/mail/{kind}.txt", context)
    return OutgoingMail.objects.create(
        booking=booking,
        kind=kind,
        to=booking.email,
        subject=subject,
        body=body,
        send_after=send_after or timezone.now(),
    )


def booking_confirmed(booking: Booking) -> None:
    _queue(booking, MailKind.CONFIRMATION)
    _queue_reminder(booking)


def booking_moved(booking: Booking) -> None:
    _queue(booking, MailKind.CHANGE)
    _queue_reminder(booking)


def booking_cancelled(booking: Booking, by_staff: bool) -> None:
    _queue(booking, MailKind.CANCELLATION)


def _queue_reminder(booking: Booking) -> None:
    remind_at = booking.starts_at - timedelta(days=1)
    if remind_at > timezone.now():
        _queue(booking, MailKind.REMINDER, send_after=remind_at)


def discard_unsent(booking: Booking) -> None:
    """Reminders of an old time or a cancelled booking must not go out."""
    OutgoingMail.objects.filter(
        booking=booking, sent_at__isnull=True, kind=MailKind.REMINDER
    ).delete()


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def send_due(now=None, limit: int = 50) -> int:
    """Send what is due; a failure is recorded and retried later. Returns how many went."""
    now = now or timezone.now()
    sent = 0
    due = OutgoingMail.objects.filter(
        sent_at__isnull=True, send_after__lte=now, attempts__lt=settings.MAIL_MAX_ATTEMPTS
    ).select_related("booking", "booking__kind", "booking__department")[:limit]
    for mail in due:
        # Claim it, so two processes' tickers never send the same mail twice.
        claimed = OutgoingMail.objects.filter(
            pk=mail.pk, sent_at__isnull=True, attempts=mail.attempts
        ).update(attempts=mail.attempts + 1, send_after=now + retry_delay(mail.attempts + 1))
        if not claimed:
            continue
        try:
            message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
            if mail.booking is not None and mail.kind != MailKind.CANCELLATION:
                message.attach("termin.ics", booking_ics(mail.booking), "text/calendar")
            message.send()
        except Exception as error:
            # The error's kind only: an SMTP refusal quotes the citizen's address. The full
            # text is kept with the mail (the admin's outgoing mails).
            log.warning(
                "mail %s to booking %s failed: %s", mail.pk, mail.booking_id, type(error).__name__
            )
            OutgoingMail.objects.filter(pk=mail.pk).update(last_error=str(error)[:500])
            metrics.mail_failures.inc()
            continue
        with transaction.atomic():
            OutgoingMail.objects.filter(pk=mail.pk).update(sent_at=timezone.now(), last_error="")
        metrics.mails_sent.inc()
        sent += 1
    return sent
