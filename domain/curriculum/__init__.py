"""Curriculum: 000's six curriculum stages of spoken exercises and a learner's progress
through them."""
