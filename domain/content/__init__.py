"""Content: tags and speeches (sentences with reference audio) that games are built from."""
