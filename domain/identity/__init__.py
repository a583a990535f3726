"""Identity: accounts, passwords, social login and login sessions with rotating tokens."""
