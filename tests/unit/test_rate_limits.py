import pytest

from domain.errors import InvalidInput
from domain.rate_limits import LIMITS, Counted, limits_with, parse_rate
from ports.rate_limits import Rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/minute", Rate(10, 60)),
        ("100 per hour", Rate(100, 3600)),
        ("5/10 seconds", Rate(5, 10)),
        (" 3 / Day ", Rate(3, 86400)),
    ],
)
def test_a_rate_is_written_as_an_amount_per_window(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "10", "0/minute", "10/fortnight", "10/0 seconds", "-1/hour"])
def test_anything_else_is_invalid(text):
    with pytest.raises(InvalidInput):
        parse_rate(text)


def test_settings_replace_rates_but_not_whom_a_limit_counts():
    limits = limits_with({"login": "20/minute"})
    assert limits["login"].rate == Rate(20, 60) and limits["login"].counted is Counted.IP
    assert limits["register"] == LIMITS["register"]
    with pytest.raises(InvalidInput):
        limits_with({"logins": "20/minute"})
