"""Magic-byte check for the image types the API accepts, so a mislabelled upload is refused at once."""

from __future__ import annotations

# bytes needed to recognise every type below (WebP: "RIFF" + 4 size bytes + "WEBP")
SNIFF_BYTES = 12


def matches_image_type(content_type: str, head: bytes) -> bool:
    """True when ``head`` (the first bytes) starts like ``content_type``; only the three API types pass."""
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/webp":
        return len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def needs_image_check(content_type: str) -> bool:
    """Every ``image/*`` upload is checked; types we cannot recognise are refused rather than trusted."""
    return content_type.startswith("image/")
