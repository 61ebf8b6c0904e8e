"""The office's own measurements that happen at a moment (an admission, a consultation's
end, a mail that failed, a purge), recorded by the domain where they happen.

A port like `notify`, not a transport: it only counts in this process's memory (or, with
PROMETHEUS_MULTIPROC_DIR, in its files); `operations/metrics.py` serves the numbers on
/metrics. What can be read from the database at scrape time (who waits, active calls,
mails queued) is not counted here but computed by the collector there, so it is right
after a restart and whichever process is asked. No label holds a person's data: the
department's slug at most.
"""

from prometheus_client import Counter, Histogram

# Seconds; from a quick admission to an hour's wait.
WAIT_BUCKETS = (15, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200)
# Seconds; from a minute's question to an hour's consultation.
CONSULTATION_BUCKETS = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)

admission_wait = Histogram(
    "bb_admission_wait_seconds",
    "Time from a citizen's knock (or check-in) to their admission by staff.",
    ["department"],
    buckets=WAIT_BUCKETS,
)
consultation_length = Histogram(
    "bb_consultation_seconds",
    "Length of ended consultations, from admission to end.",
    ["department"],
    buckets=CONSULTATION_BUCKETS,
)
mails_sent = Counter("bb_mails_sent", "Booking mails handed to the mail server.")
mail_failures = Counter(
    "bb_mail_failures", "Attempts to send a booking mail that failed (each is retried)."
)
purge_runs = Counter(
    "bb_purge_runs", "Runs of the purge of expired personal data, by result.", ["result"]
)
for _result in ("success", "failure"):
    purge_runs.labels(result=_result)  # both series exist from the start (0), for alerts
