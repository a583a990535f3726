"""The one JSON shape of audio in a response or a socket message: base64 with its type."""

import base64

from pydantic import BaseModel

from ports.speech import SynthesizedSpeech


class AudioOut(BaseModel):
    media_type: str
    sample_rate: int
    data_base64: str

    @classmethod
    def of(cls, speech: SynthesizedSpeech) -> "AudioOut":
        return cls(
            media_type=speech.media_type,
            sample_rate=speech.sample_rate,
            data_base64=base64.b64encode(speech.audio).decode(),
        )
