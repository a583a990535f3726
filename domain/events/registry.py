"""Every event Parla publishes: one line per context that publishes events."""

from domain.courses import events as courses
from domain.events.schemas import Schemas
from domain.identity import events as identity
from domain.messaging import events as messaging
from domain.practice import events as practice

SCHEMAS: Schemas = {
    **identity.SCHEMAS,
    **practice.SCHEMAS,
    **messaging.SCHEMAS,
    **courses.SCHEMAS,
}
