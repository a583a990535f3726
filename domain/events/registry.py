"""Every event Parla publishes: one line per context that publishes events."""

from domain.courses import events as courses
from domain.curriculum import events as curriculum
from domain.events.schemas import Schemas
from domain.identity import events as identity
from domain.messaging import events as messaging
from domain.practice import events as practice
from domain.tutor import events as tutor

SCHEMAS: Schemas = {
    **identity.SCHEMAS,
    **practice.SCHEMAS,
    **messaging.SCHEMAS,
    **curriculum.SCHEMAS,
    **tutor.SCHEMAS,
    **courses.SCHEMAS,
}
