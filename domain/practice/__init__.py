"""Practice: listen-and-repeat game sessions and their per-sentence results."""
