"""Rules of the content catalogue an admin curates: sizes of what may be stored."""

from datetime import timedelta
from uuid import UUID

from domain.errors import InvalidInput
from ports.cefr import CefrLevel

# 004's admin list allows pages of up to 200 speeches, twice the other lists' bound.
ADMIN_PAGE_SIZE = 200
# One sentence to hear and repeat: the longest demo speech is under 100 characters, and
# a learner cannot repeat a paragraph in one take.
SPEECH_TEXT_MAX_LENGTH = 500
# A blob key as the blob stores accept it (paths under audio/, well inside S3's 1,024 bytes).
AUDIO_KEY_MAX_LENGTH = 512
# A link to such a key: a host, the key percent-encoded (at worst three times as long for
# ASCII names) and a presigned URL's query (about 450 characters).
AUDIO_URL_MAX_LENGTH = 4096
# Where the catalogue's audio is stored: speeches' under audio/{level}/, an upload batch's
# under uploads/{batch}/ until the batch is imported or expires. Other keys (a conversation's
# attachments) are never a speech's audio.
CATALOGUE_AUDIO = "audio/"
UPLOADS = "uploads/"


def upload_key(batch_id: UUID, stored_name: str) -> str:
    return f"{UPLOADS}{batch_id}/{stored_name}"


def catalogue_key(level: CefrLevel, owner_id: UUID, upload: str) -> str:
    """Where audio uploaded as `upload` is kept for good: under its level and the id of the
    import or speech that keeps it (so that two keeping the same name never collide)."""
    return f"{CATALOGUE_AUDIO}{level}/{owner_id}/{upload.rsplit('/', 1)[-1]}"


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


# --- the two-step import: audio files, then a CSV naming them -----------------------------

# 004: "File size exceeds limit (e.g., 10MB per file)"; the learner's recordings use it too.
MAX_IMPORT_AUDIO_BYTES = 10 * 1024 * 1024
# Files one upload request may carry (more go in further requests to the same batch):
# Starlette's own bound on a multipart form's files.
MAX_UPLOAD_FILES = 1000
# A batch waits a day for its CSV: long enough to fix a rejected CSV, short enough that
# abandoned uploads do not pile up in the store.
UPLOAD_BATCH_TTL = timedelta(hours=24)
# The longest file name S3 and common file systems both keep.
FILE_NAME_MAX_LENGTH = 255
# A CSV may create this many speeches at once: 5 times 004's 10,000-row catalogue import,
# still one transaction of a few seconds on PostgreSQL and SQLite.
MAX_IMPORT_ROWS = 50_000
CSV_COLUMNS = ("audio_filename", "text", "level", "type", "tags")
REQUIRED_CSV_COLUMNS = ("audio_filename", "text", "level")
# ISO base media brands of audio-only MPEG-4 files (iTunes' M4A/M4B, and the generic brands
# ffmpeg and most encoders write into .m4a files).
_M4A_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2")


def audio_type(head: bytes) -> str | None:
    """The type of MP3, WAV or M4A audio from its first 12 bytes, or None: the content is
    checked, never the name."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return "audio/mp4"
    # An ID3 tag, or a bare MPEG audio frame (11 sync bits, then a layer other than the
    # reserved 00, which ADTS AAC uses).
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 > 0xE0):
        return "audio/mpeg"
    return None


def clean_file_name(name: str) -> str:
    """The upload's own name, without any folder a client put before it; InvalidInput for a
    name that is empty, hidden, too long or holds control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if (
        not name
        or name.startswith(".")
        or len(name) > FILE_NAME_MAX_LENGTH
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    ):
        raise InvalidInput(f"Invalid file name {name!r}", {"field": "files", "filename": name})
    return name


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `stem_1.ext`, `stem_2.ext`... the first that `taken` does not hold."""
    if name not in taken:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, dot, extension = name, "", ""
    number = 1
    while f"{stem}_{number}{dot}{extension}" in taken:
        number += 1
    return f"{stem}_{number}{dot}{extension}"


# A CSV of MAX_IMPORT_ROWS rows of SPEECH_TEXT_MAX_LENGTH-character sentences and some tags.
MAX_CSV_BYTES = 50 * 1024 * 1024
