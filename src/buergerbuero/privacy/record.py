"""The record of processing activities (Art. 30 GDPR) and the privacy notice's facts,
generated from the settings, the data inventory and each department's policy."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from buergerbuero.departments.models import Department

from .inventory import INVENTORY, PUBLIC_TASK, SPECIAL_CATEGORIES
from .retention import KINDS, default_retention, retention_for


def controller() -> dict:
    return {
        "name": settings.PRIVACY_CONTROLLER_NAME,
        "address": settings.PRIVACY_CONTROLLER_ADDRESS,
        "email": settings.PRIVACY_CONTROLLER_EMAIL,
    }


def data_protection_officer() -> dict:
    return {"name": settings.PRIVACY_DPO_NAME, "email": settings.PRIVACY_DPO_EMAIL}


def departments() -> list[dict]:
    """Each department's legal bases and retention periods in days, in one query."""
    rows = []
    for department in Department.objects.filter(is_active=True).select_related("retention"):
        policy = getattr(department, "retention", None)
        special = bool(policy and policy.special_categories)
        retention = retention_for(policy)
        rows.append(
            {
                "slug": department.slug,
                "name": department.name,
                "special_categories": special,
                "legal_bases": [str(PUBLIC_TASK), *([str(SPECIAL_CATEGORIES)] if special else [])],
                "retention_days": {kind: getattr(retention, kind) for kind in KINDS},
            }
        )
    return rows


def activities() -> list[dict]:
    """The inventory in the active language, with the installation's default periods."""
    defaults = default_retention()
    return [
        {
            "key": p.key,
            "title": str(p.title),
            "data_subjects": str(p.subjects),
            "personal_data": str(p.data),
            "purpose": str(p.purpose),
            "legal_basis": str(p.legal_basis),
            "special_categories_possible": p.special_categories_possible,
            "stored_in": [*p.stored_in, *([str(p.stored_elsewhere)] if p.stored_elsewhere else [])],
            "recipients": str(p.recipients),
            "third_country_transfers": _("None."),
            "retention": p.retention(defaults),
            "retention_settings": list(p.retention_kinds),
            "deletion": str(p.deletion),
        }
        for p in INVENTORY
    ]


def measures() -> list[str]:
    """Technical and organisational measures (Art. 30(1)(g), Art. 32 GDPR) the software
    itself provides; the operator adds its own (docs/deploy.md, docs/security.md)."""
    return [
        _("Encrypted transport for pages and sockets (HTTPS with HSTS, docs/deploy.md)."),
        _(
            "Picture, sound and documents sent end-to-end encrypted between the browsers "
            "(DTLS-SRTP, DTLS); nothing is recorded; chat messages are passed on, not stored."
        ),
        _(
            "No request to third-party servers from any page (Content-Security-Policy "
            "'self'); TURN credentials short-lived, with random user names."
        ),
        _(
            "Unguessable identifiers and links (128 to 256 random bits); booking codes and "
            "booking actions rate-limited per client."
        ),
        _("Staff see only the departments they are assigned to."),
        _("Personal data deleted or anonymised automatically when its period ends (hourly)."),
        _("Only strictly necessary cookies (HttpOnly session, SameSite=Lax)."),
    ]


def processing_record() -> dict:
    return {
        "generated_at": timezone.now().isoformat(),
        "controller": controller(),
        "data_protection_officer": data_protection_officer(),
        "activities": activities(),
        "departments": departments(),
        "technical_and_organisational_measures": measures(),
    }
