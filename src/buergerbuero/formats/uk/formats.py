# вівторок, 24 листопада 2026 р., 10:00
DATE_FORMAT = "l, j E Y р."
DATETIME_FORMAT = "l, j E Y р., H:i"
# Slot lists and closures: weekday, day and month, time.
SHORT_DATETIME_FORMAT = "D, j E, H:i"
TIME_FORMAT = "H:i"
