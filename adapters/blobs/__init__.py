"""Blob stores: local filesystem (default) and S3-compatible object storage."""
