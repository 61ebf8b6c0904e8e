"""Date and time formats per language (settings.FORMAT_MODULE_PATH), on top of Django's.

Django's own formats leave out the weekday, which people need to tell an appointment's
day, and give English a 12-hour clock while the office, its mails and its scripts use 24
hours. Templates name these formats ("DATETIME_FORMAT"), never a pattern of one language.
Only what differs from Django's is set here; the rest (numbers, input formats) is Django's.
"""
