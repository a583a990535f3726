"""Rules of the content catalogue an admin curates: sizes of what may be stored."""

from domain.errors import InvalidInput

# 004's admin list allows pages of up to 200 speeches, twice the other lists' bound.
ADMIN_PAGE_SIZE = 200
# One sentence to hear and repeat: the longest demo speech is under 100 characters, and
# a learner cannot repeat a paragraph in one take.
SPEECH_TEXT_MAX_LENGTH = 500
# A blob key as the blob stores accept it (paths under audio/, well inside S3's 1,024 bytes).
AUDIO_KEY_MAX_LENGTH = 512


def clean_speech_text(text: str) -> str:
    """The text without surrounding blanks; InvalidInput when empty or too long."""
    text = text.strip()
    if not text or len(text) > SPEECH_TEXT_MAX_LENGTH:
        raise InvalidInput(
            f"text must be 1 to {SPEECH_TEXT_MAX_LENGTH} characters", {"field": "text"}
        )
    return text


def clean_search(search: str | None) -> str | None:
    """A search term without surrounding blanks; a blank one searches nothing out."""
    search = (search or "").strip()
    if len(search) > SPEECH_TEXT_MAX_LENGTH:
        raise InvalidInput(
            f"search must be at most {SPEECH_TEXT_MAX_LENGTH} characters", {"field": "search"}
        )
    return search or None
