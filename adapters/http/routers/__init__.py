"""One router per resource; each turns a request into one use case call."""
