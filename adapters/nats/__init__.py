"""NATS adapters: events shared by every replica, fan-out on core NATS, durable on JetStream."""
