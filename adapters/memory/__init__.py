"""In-process adapters: the embedded defaults for one process."""
