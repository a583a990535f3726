"""Messaging: conversations between learners and teachers, messages, receipts, presence."""
