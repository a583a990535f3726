"""Languages by the names providers use: the ISO 639-1 codes of the languages cloud
recognizers report by other names (Whisper's verbose_json says "english", ElevenLabs Scribe
says "eng", ISO 639-3; the port speaks 639-1), and Azure's locale of a language."""

# ISO 639-1, ISO 639-3, Whisper's name: the languages Whisper and Scribe both recognize well.
_LANGUAGES = """
af afr afrikaans|ar ara arabic|hy hye armenian|az aze azerbaijani|be bel belarusian
bs bos bosnian|bg bul bulgarian|ca cat catalan|zh cmn chinese|hr hrv croatian|cs ces czech
da dan danish|nl nld dutch|en eng english|et est estonian|fi fin finnish|fr fra french
gl glg galician|de deu german|el ell greek|he heb hebrew|hi hin hindi|hu hun hungarian
is isl icelandic|id ind indonesian|it ita italian|ja jpn japanese|kn kan kannada|kk kaz kazakh
ko kor korean|lv lav latvian|lt lit lithuanian|mk mkd macedonian|ms msa malay|mr mar marathi
mi mri maori|ne nep nepali|no nor norwegian|fa fas persian|pl pol polish|pt por portuguese
ro ron romanian|ru rus russian|sr srp serbian|sk slk slovak|sl slv slovenian|es spa spanish
sw swa swahili|sv swe swedish|tl tgl tagalog|ta tam tamil|th tha thai|tr tur turkish
uk ukr ukrainian|ur urd urdu|vi vie vietnamese|cy cym welsh
"""

_ISO_639_1: dict[str, str] = {}
for _entry in _LANGUAGES.replace("\n", "|").split("|"):
    if _entry.strip():
        _code, _iso3, _name = _entry.split()
        _ISO_639_1.update({_code: _code, _iso3: _code, _name: _code})
_ISO_639_1["zho"] = "zh"  # Scribe reports Mandarin as either


def iso_639_1(reported: str | None) -> str | None:
    """The 639-1 code of a language as a provider reported it; None when unknown."""
    return _ISO_639_1.get(reported.strip().lower()) if reported else None


# Locales for ISO 639-1 codes whose main Azure locale is not "xx-XX".
_LOCALES = {
    "en": "en-US", "ar": "ar-SA", "cs": "cs-CZ", "da": "da-DK", "el": "el-GR", "fa": "fa-IR",
    "he": "he-IL", "hi": "hi-IN", "ja": "ja-JP", "ko": "ko-KR", "pt": "pt-BR", "sv": "sv-SE",
    "uk": "uk-UA", "vi": "vi-VN", "zh": "zh-CN", "ca": "ca-ES", "sl": "sl-SI", "et": "et-EE",
}  # fmt: skip


def azure_locale(language: str) -> str:
    """The Azure locale of an ISO 639-1 code ("en" -> "en-US"); a locale is kept as is."""
    language = language.replace("_", "-")
    if "-" in language:
        return language
    return _LOCALES.get(language.lower(), f"{language.lower()}-{language.upper()}")
