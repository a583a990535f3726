"""Redis adapters: state shared by every replica."""
