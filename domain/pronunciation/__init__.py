"""Pronunciation: scoring a recording of a sentence against the sentence, word by word."""
