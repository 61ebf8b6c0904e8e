"""Demo departments for a first look at the office.

Each department is open on some weekdays only, like a real county's. Two of them
(Wirtschaftsförderung and Beratung zur Selbsthilfe) take turns around the clock, so
that at any hour of any day someone trying the demo finds an open door.
"""

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def h(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def days(weekdays, opens, closes):
    return [(day, h(opens), h(closes)) for day in weekdays]


DEMO_DEPARTMENTS = [
    (
        "elterngeldstelle",
        "Elterngeldstelle",
        "Elterngeld und ElterngeldPlus: Antrag, Nachweise, Bearbeitungsstand.",
        days([MON, TUE, THU], "08:00", "12:00") + days([THU], "14:00", "18:00"),
    ),
    (
        "katasterauskunft",
        "Katasterauskunft",
        "Auszüge aus dem Liegenschaftskataster und Flurkarten.",
        days([MON, TUE, WED], "09:00", "15:00"),
    ),
    (
        "hiv-beratung",
        "HIV-Beratung",
        "Anonyme Beratung zu HIV und anderen sexuell übertragbaren Infektionen.",
        days([TUE], "14:00", "19:00") + days([THU], "10:00", "14:00"),
    ),
    (
        "beratung-einbuergerung",
        "Beratung Einbürgerung",
        "Voraussetzungen, Unterlagen und Ablauf der Einbürgerung.",
        days([MON, WED], "08:30", "12:30") + days([FRI], "08:30", "12:00"),
    ),
    (
        "wohngeldschein",
        "Wohngeldschein",
        "Wohngeld und Wohnberechtigungsschein.",
        days([TUE, THU], "08:00", "16:00"),
    ),
    (
        "schwangerschaftsberatung",
        "Schwangerschaftsberatung",
        "Beratung rund um Schwangerschaft, vertraulich.",
        days([MON, WED, FRI], "09:00", "13:00"),
    ),
    (
        "pflegeselbsthilfe",
        "Kontaktbüro Pflegeselbsthilfe",
        "Selbsthilfegruppen für pflegende Angehörige.",
        days([TUE, WED], "10:00", "16:00"),
    ),
    (
        "wasserbehoerde",
        "Untere Wasserbehörde",
        "Brunnen, Einleitungen, Überschwemmungsgebiete.",
        days([MON, THU], "08:00", "15:30"),
    ),
    (
        "prostituiertenberatung",
        "Prostituiertenberatung",
        "Gesundheitliche Beratung nach dem Prostituiertenschutzgesetz.",
        days([WED], "13:00", "18:00") + days([FRI], "09:00", "12:00"),
    ),
    (
        "wirtschaftsfoerderung",
        "Wirtschaftsförderung",
        "Gründung, Ansiedlung, Fördermittel. "
        "(Demo: montags, mittwochs, freitags und sonntags rund um die Uhr.)",
        days([MON, WED, FRI, SUN], "00:00", "24:00"),
    ),
    (
        "bafoeg",
        "BAföG",
        "Schüler-BAföG: Antrag und Bescheid.",
        days([MON, TUE, THU], "09:00", "12:00") + days([TUE], "13:00", "17:00"),
    ),
    (
        "seiteneinstieg",
        "Seiteneinsteigerberatung",
        "Beratung für neu zugewanderte Kinder und Jugendliche zur Schule.",
        days([WED, FRI], "10:00", "14:00"),
    ),
    (
        "schwerbehindertenstelle",
        "Schwerbehindertenstelle",
        "Schwerbehindertenausweis, Merkzeichen, Nachteilsausgleiche.",
        days([MON, TUE, WED, THU], "08:00", "12:00") + days([WED], "14:00", "17:00"),
    ),
    (
        "selbsthilfe",
        "Beratung zur Selbsthilfe",
        "Wege in eine Selbsthilfegruppe. "
        "(Demo: dienstags, donnerstags und samstags rund um die Uhr.)",
        days([TUE, THU, SAT], "00:00", "24:00"),
    ),
]

KREISHAUS = "Kreishaus, Hauptstraße 1, Zimmer 104"

# Appointment kinds: (name, mode, minutes, address for in-person visits).
DEMO_APPOINTMENT_KINDS = {
    "elterngeldstelle": [
        ("Beratung per Video", "video", 30, ""),
        ("Antragsabgabe vor Ort", "in_person", 15, KREISHAUS),
    ],
    "beratung-einbuergerung": [("Erstberatung per Video", "video", 45, "")],
    "wohngeldschein": [("Beratung per Video", "video", 20, "")],
    "bafoeg": [("Beratung per Video", "video", 20, "")],
    "schwerbehindertenstelle": [
        ("Beratung per Video", "video", 30, ""),
        ("Persönliche Vorsprache", "in_person", 30, KREISHAUS),
    ],
    "wirtschaftsfoerderung": [("Gründungsberatung per Video", "video", 60, "")],
    "selbsthilfe": [("Erstgespräch per Video", "video", 30, "")],
}
