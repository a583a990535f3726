"""How Parla describes its events; each bounded context's own events live in its
`events.py` (domain/messaging/events.py), beside the use cases that publish them.

An event is registered by its type and version with a JSON Schema document for its payload
(built from `schemas`, checked by `validation`); `registry` gathers every context's table.
A type names what happened to an aggregate ("user.deleted"); a type of three tokens addresses
one stream of the aggregate by the id in its middle ("conversation.<id>.message_sent") and is
registered with `*` there ("conversation.*.message_sent"). A change that breaks readers adds
a new version next to the old one instead of editing it.

Durable events (stored until every durable consumer handled them) go through the outbox;
fan-out events (typing) are published directly, since losing one loses nothing.
"""
