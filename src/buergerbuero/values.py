"""Value types shared by the domain's read models and the messages built from them."""

from datetime import datetime
from typing import Annotated

from pydantic import PlainSerializer

# An aware datetime that JSON carries as `datetime.isoformat()` ("+00:00", microseconds
# kept), the form clients and the documentation have always seen.
IsoDateTime = Annotated[
    datetime, PlainSerializer(lambda value: value.isoformat(), when_used="json")
]
