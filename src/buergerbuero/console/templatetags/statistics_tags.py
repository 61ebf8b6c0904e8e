"""The console's link to the statistics (leads and administrators only), and durations
shown as minutes:seconds."""

from django import template

from buergerbuero.staff.permissions import lead_department_ids

from .. import charts

register = template.Library()


@register.inclusion_tag("console/_statistics_link.html")
def statistics_link(user):
    return {"leads": bool(lead_department_ids(user))}


@register.filter
def duration(seconds: int | None) -> str:
    return charts.duration(seconds)
