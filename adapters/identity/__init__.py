"""Identity adapters: verification of social sign-in tokens (Google, Apple, Facebook)."""
