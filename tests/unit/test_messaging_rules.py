"""What conversations, messages and attachments may hold."""

import pytest

from domain.errors import InvalidInput, PayloadTooLarge
from domain.messaging.rules import (
    ATTACHMENT_MAX_BYTES,
    check_attachment,
    clean_content,
    clean_file_name,
    clean_title,
)
from ports.messaging import DeliveryStatus


def test_receipts_rank_sent_delivered_read():
    ranks = [s.rank for s in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def test_titles_are_squeezed_and_blank_means_none():
    assert clean_title("  Grammar \n club ") == "Grammar club"
    assert clean_title("   ") is None and clean_title(None) is None
    with pytest.raises(InvalidInput):
        clean_title("x" * 201)


@pytest.mark.parametrize("content", ["", " \n ", "x" * 4001])
def test_content_is_one_to_4000_characters_of_something(content):
    with pytest.raises(InvalidInput):
        clean_content(content)


def test_content_keeps_its_spacing():
    assert clean_content("  line one\nline two ") == "  line one\nline two "


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("photo of me.png", "photo of me.png"),
        ("résumé?.pdf", "r_sum_.pdf"),
        ("..", "file"),
        (None, "file"),
        ("a" * 300, "a" * 100),
    ],
)
def test_file_names_are_safe_as_a_blob_key_segment(name, cleaned):
    assert clean_file_name(name) == cleaned


def test_attachments_are_limited_in_size_and_type_and_checked_against_their_type():
    check_attachment(b"%PDF-1.7 ...", "application/pdf")
    check_attachment(b"hello", "text/plain")
    with pytest.raises(InvalidInput):
        check_attachment(b"", "text/plain")
    with pytest.raises(PayloadTooLarge):
        check_attachment(b"a" * (ATTACHMENT_MAX_BYTES + 1), "text/plain")
    with pytest.raises(InvalidInput):
        check_attachment(b"MZ", "application/x-msdownload")
    with pytest.raises(InvalidInput):
        check_attachment(b"<html>", "image/png")
