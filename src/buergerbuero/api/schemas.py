"""Every body the API takes or gives, strict: unknown fields are refused."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from buergerbuero.bookings.models import DISPLAY_NAME_MAX, PHONE_MAX, TOPIC_MAX
from buergerbuero.office.status import OfficeStatus


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Strict):
    code: str = Field(description="Stable, for programs: e.g. `not_found`, `slot_taken`.")
    message: str = Field(description="For people, in the request's language.")


class InvalidInputError(Error):
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per field of the body or query."
    )


class BookingProblem(Error):
    alternatives: list[datetime] = Field(
        default_factory=list, description="Other free times of the same kind, if any."
    )


class OpeningRange(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday.")
    opens: str = Field(description="Local time, HH:MM.", examples=["08:00"])
    closes: str = Field(description="Local time, HH:MM; 24:00 = midnight.", examples=["12:00"])


class ClosureOut(Strict):
    starts_at: datetime
    ends_at: datetime
    reason: str


class LiveStatus(Strict):
    state: OfficeStatus
    next_opening: datetime | None = Field(description="Set only when closed.")


class DepartmentOut(Strict):
    slug: str
    name: str
    summary: str
    time_zone: str
    status: LiveStatus
    opening_hours: list[OpeningRange]
    closures: list[ClosureOut] = Field(description="Closures that have not ended yet.")
    bookable: bool = Field(description="Whether appointments can be booked.")


class KindOut(Strict):
    id: int
    name: str
    mode: Literal["video", "in_person"]
    duration_minutes: int
    location: str


class SlotsOut(Strict):
    kind: int
    slots: list[datetime] = Field(description="Free start times (UTC), earliest first.")


class BookingIn(Strict):
    department: str = Field(description="The department's slug.")
    kind: int = Field(description="An appointment kind of that department.")
    starts_at: AwareDatetime = Field(description="One of the free slots.")
    display_name: str = Field(max_length=DISPLAY_NAME_MAX)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=PHONE_MAX)
    topic: str = Field(default="", max_length=TOPIC_MAX)


class MoveIn(Strict):
    starts_at: AwareDatetime


class BookingOut(Strict):
    token: str = Field(description="The citizen's key to the booking: keep it secret.")
    code: str = Field(description="The booking code to give at the desk.")
    status: str
    department: str
    kind: int
    starts_at: datetime
    ends_at: datetime
    manage_url: str = Field(description="The citizen's page for this booking.")


class AppointmentOut(Strict):
    starts_at: datetime
    ends_at: datetime
    kind: str
    mode: str
    status: str
    code: str
    display_name: str
    email: str
    phone: str
    topic: str


class DaySheetOut(Strict):
    department: str
    day: date
    appointments: list[AppointmentOut]


class FiguresOut(Strict):
    """Anonymous figures (docs/statistics.md): counts, and durations in seconds read from
    the hourly histograms (null when nothing was measured)."""

    knocks: int = Field(description="Citizens who knocked.")
    admitted: int
    declined: int
    left: int = Field(description="Citizens who left the waiting room themselves.")
    expired: int
    consultations: int = Field(description="Calls that ended.")
    bookings: int = Field(description="Appointments that started or were due.")
    cancelled: int
    no_shows: int
    wait_median_seconds: int | None = Field(description="From knock to admission.")
    wait_p90_seconds: int | None
    consultation_median_seconds: int | None
    consultation_p90_seconds: int | None


class PeriodFiguresOut(FiguresOut):
    start: date = Field(description="The first day of this day, week or month (local).")


class StatisticsOut(Strict):
    department: str
    period: Literal["30d", "12w", "12m"]
    unit: Literal["day", "week", "month"]
    rows: list[PeriodFiguresOut] = Field(description="Oldest first, one per day, week or month.")
    total: FiguresOut = Field(description="The whole period.")
    final_until: datetime | None = Field(
        description="Figures before this moment are final; later ones may still change."
    )
    computed_at: datetime | None = Field(description="When the figures were last computed.")
