# Dienstag, 24. November 2026, 10:00
DATE_FORMAT = "l, j. F Y"
DATETIME_FORMAT = "l, j. F Y, H:i"
# Slot lists and closures: weekday, day and month, time.
SHORT_DATETIME_FORMAT = "D, j. M, H:i"
TIME_FORMAT = "H:i"
