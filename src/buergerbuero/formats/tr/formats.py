# 24 Kasım 2026, Salı, 10:00
DATE_FORMAT = "j F Y, l"
DATETIME_FORMAT = "j F Y, l, H:i"
# Slot lists and closures: weekday, day and month, time.
SHORT_DATETIME_FORMAT = "D, j M, H:i"
TIME_FORMAT = "H:i"
