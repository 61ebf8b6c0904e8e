"""The weekly schedule as a department page shows it: one row per weekday."""

from buergerbuero.departments.models import WEEKDAYS


def weekly_table(department) -> list[dict]:
    by_day: dict[int, list] = {day: [] for day, _label in WEEKDAYS}
    for hours in department.hours.all():
        by_day[hours.weekday].append(hours)
    return [{"weekday": label, "ranges": by_day[day]} for day, label in WEEKDAYS]
