"""Ray Serve deployments, the composition root and the launcher."""
