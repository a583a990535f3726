"""Demo content: sentences with synthesized audio, loaded into an empty database."""
