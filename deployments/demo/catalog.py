"""Loads the demo catalog (speeches.csv, in the admin CSV import's format, and tags.csv)
into an empty database, with audio synthesized by the offline voice."""

import asyncio
import csv
import logging
from collections.abc import Callable
from pathlib import Path

from adapters.speech.codec import encode_mp3
from domain.content.speeches import CatalogEntry, TagSpec, add_to_catalog, catalog_size
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.speech import SpeechSynthesizer
from ports.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
# A few voices, so that learners hear more than one speaker.
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb+m3")


def read_tags(path: Path = DEMO_DIR / "tags.csv") -> list[TagSpec]:
    with path.open(newline="") as f:
        return [TagSpec(name=r["name"], category=r["category"] or None) for r in csv.DictReader(f)]


def read_speeches(path: Path = DEMO_DIR / "speeches.csv") -> list[CatalogEntry]:
    """One entry per row; its audio key is where its audio will be stored."""
    with path.open(newline="") as f:
        return [
            CatalogEntry(
                text=r["text"],
                level=CefrLevel(r["level"]),
                type=SpeechType(r["type"] or "answer"),
                audio_key=f"audio/{r['level']}/{r['audio_filename']}",
                tag_names=[t.strip() for t in r["tags"].split(",") if t.strip()],
            )
            for r in csv.DictReader(f)
        ]


async def load_demo_catalog(
    unit_of_work: Callable[[], UnitOfWork],
    blobs: BlobStore,
    synthesizer: SpeechSynthesizer,
    entries: list[CatalogEntry] | None = None,
) -> int:
    """Synthesizes and stores the audio of `entries` (default: the whole demo catalog), then
    adds every speech in one transaction. Does nothing when the catalog already has speeches.
    Returns how many were added."""
    if await catalog_size(unit_of_work()) > 0:
        return 0
    entries = read_speeches() if entries is None else entries
    # Synthesis holds one lock; MP3 encoding (PyAV releases the GIL in the encoder) runs in
    # worker threads in parallel with it.
    encoders = asyncio.Semaphore(4)

    async def store(number: int, entry: CatalogEntry) -> None:
        if await blobs.exists(entry.audio_key):
            return
        speech = await synthesizer.synthesize(entry.text, voice=VOICES[number % len(VOICES)])
        async with encoders:
            mp3 = await asyncio.to_thread(encode_mp3, speech.audio)
        await blobs.put(entry.audio_key, mp3, "audio/mpeg")
        if number % 100 == 0:
            logger.info("Demo audio: %d of %d clips", number, len(entries))

    await asyncio.gather(*(store(n, entry) for n, entry in enumerate(entries, start=1)))
    ids = await add_to_catalog(entries, read_tags(), unit_of_work())
    logger.info("Demo catalog loaded: %d speeches", len(ids))
    return len(ids)
