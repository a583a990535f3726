import pytest

from domain.errors import InvalidInput
from domain.languages import language_tag


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en-US"),
        ("en_US", "en-US"),
        ("EN-us", "en-US"),
        (" en-us ", "en-US"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
    ],
)
def test_a_tag_has_one_canonical_form(raw, tag):
    assert language_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "english", "e", "en--US", "en US", "en-" + "x" * 40])
def test_anything_else_is_invalid_input(raw):
    with pytest.raises(InvalidInput):
        language_tag(raw)
