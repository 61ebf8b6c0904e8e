# вторник, 24 ноября 2026 г., 10:00
DATE_FORMAT = "l, j E Y г."
DATETIME_FORMAT = "l, j E Y г., H:i"
# Slot lists and closures: weekday, day and month, time.
SHORT_DATETIME_FORMAT = "D, j E, H:i"
TIME_FORMAT = "H:i"
