"""Run inside the bench office's database (manage.py shell -c; never imported): the
department the call set-up benchmark knocks at and the staff members who admit.

An office open around the clock and on public holidays, so the benchmark does not depend
on the hour it runs at; one staff member per run (BB_BENCH_STAFF of them), so a call that
was not ended cleanly never keeps the next run's staff member busy.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile

office = Department.objects.create(
    slug=os.environ["BB_BENCH_OFFICE"],
    name=os.environ["BB_BENCH_OFFICE_NAME"],
    summary="Open around the clock for bench/call_setup.py",
    holiday_country="",
)
OpeningHours.objects.bulk_create(
    OpeningHours(department=office, weekday=day, opens_minute=0, closes_minute=1440)
    for day in range(7)
)
# One hash for all: hashing a password per member would only slow the set-up down.
password = make_password(os.environ["BB_BENCH_PASSWORD"])
users = get_user_model().objects.bulk_create(
    get_user_model()(
        username=f"bench-staff-{number}",
        password=password,
        first_name="Bench",
        last_name=f"Staff {number}",
    )
    for number in range(int(os.environ["BB_BENCH_STAFF"]))
)
for user in users:
    StaffProfile.objects.create(user=user).departments.set([office])
