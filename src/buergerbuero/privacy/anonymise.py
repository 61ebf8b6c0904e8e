"""Removing personal data from rows that are kept for the statistics.

The one place that knows which fields of the queue, the calls and the bookings hold
personal data, so the scheduled purge and a citizen's own erasure request remove exactly
the same things. Anonymised rows keep their state and times; nothing in the domain reads
a name after the row's retention ended.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from buergerbuero.bookings.models import Booking, OutgoingMail
from buergerbuero.calls.models import Participant
from buergerbuero.waiting.models import QueueEntry

# Anonymised means every personal field is the empty string: no token that could be
# mistaken for a name, in any language.
PERSONAL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    QueueEntry: ("display_name", "topic", "language", "decline_message", "transfer_note"),
    Participant: ("display_name",),
    Booking: ("display_name", "email", "phone", "topic", "language", "cancel_message"),
}
# Django's admin history keeps str(obj), which for these models includes the name.
ANONYMISED_REPR = "(anonymised)"


def still_personal(model: type[Model]) -> Q:
    """Rows of `model` with at least one personal field left."""
    return ~Q(**dict.fromkeys(PERSONAL_FIELDS[model], ""))


def anonymise(queryset: QuerySet) -> int:
    """Empty the personal fields of every row in `queryset`; returns how many changed."""
    model = queryset.model
    rows = queryset.filter(still_personal(model))
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    if not ids:
        return 0
    changed = model.objects.filter(pk__in=ids).update(**dict.fromkeys(PERSONAL_FIELDS[model], ""))
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).update(object_repr=ANONYMISED_REPR)
    return changed


def delete_mails(queryset: QuerySet[OutgoingMail]) -> int:
    """Mails are deleted, not anonymised: the body is the personal data."""
    return queryset.delete()[1].get(OutgoingMail._meta.label, 0)
