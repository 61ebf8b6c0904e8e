# الثلاثاء، 24 نوفمبر 2026، 10:00
DATE_FORMAT = "l، j F Y"
DATETIME_FORMAT = "l، j F Y، H:i"
# Slot lists and closures: weekday, day and month, time.
SHORT_DATETIME_FORMAT = "D، j F، H:i"
TIME_FORMAT = "H:i"
