"""Just enough DER to split concatenated structures and recognise a few shapes.

cryptography's loaders answer "is this a certificate?" but not "what is it, then?"; a
PKCS#12 bundle, for one, only fails with a password error. These helpers look at the
outer ASN.1 layout without trusting any length they read.
"""

from __future__ import annotations

SEQUENCE = 0x30
INTEGER = 0x02
OID = 0x06
BIT_STRING = 0x03

# DER encodings of the object identifiers the sniffers look for.
OID_PKCS7_DATA = bytes.fromhex("2a864886f70d010701")
OID_PKCS7_SIGNED = bytes.fromhex("2a864886f70d010702")


def header(data: bytes, offset: int = 0) -> tuple[int, int, int] | None:
    """(tag, header length, content length) of the TLV at ``offset``, or None if malformed."""
    if offset + 2 > len(data):
        return None
    tag = data[offset]
    if tag & 0x1F == 0x1F:  # multi-byte tags never start the structures we look for
        return None
    first = data[offset + 1]
    if first < 0x80:
        return tag, 2, first
    count = first & 0x7F
    if count == 0 or count > 4 or offset + 2 + count > len(data):
        return None
    length = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
    return tag, 2 + count, length


def children(data: bytes, offset: int = 0) -> list[tuple[int, bytes]] | None:
    """The (tag, full TLV bytes) inside the constructed TLV at ``offset``, or None."""
    top = header(data, offset)
    if top is None:
        return None
    _, head, length = top
    end = offset + head + length
    if end > len(data):
        return None
    result: list[tuple[int, bytes]] = []
    position = offset + head
    while position < end:
        item = header(data, position)
        if item is None:
            return None
        tag, item_head, item_length = item
        item_end = position + item_head + item_length
        if item_end > end:
            return None
        result.append((tag, data[position:item_end]))
        position = item_end
    return result


def split_concatenated(data: bytes) -> list[bytes] | None:
    """Split back-to-back DER SEQUENCEs (``cat a.der b.der``); None unless they tile exactly."""
    parts: list[bytes] = []
    position = 0
    while position < len(data):
        item = header(data, position)
        if item is None or item[0] != SEQUENCE:
            return None
        end = position + item[1] + item[2]
        if end > len(data):
            return None
        parts.append(data[position:end])
        position = end
    return parts or None


def first_tlv(data: bytes) -> bytes | None:
    """The first complete TLV (a TRUSTED CERTIFICATE is a certificate plus trust data)."""
    item = header(data)
    if item is None or item[1] + item[2] > len(data):
        return None
    return data[: item[1] + item[2]]


def _oid_value(tlv: bytes) -> bytes | None:
    item = header(tlv)
    if item is None or item[0] != OID:
        return None
    return tlv[item[1] : item[1] + item[2]]


def looks_like_pkcs12(data: bytes) -> bool:
    """PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData ... }."""
    parts = children(data)
    if not parts or len(parts) < 2 or parts[0][0] != INTEGER or parts[1][0] != SEQUENCE:
        return False
    if parts[0][1][1:] != b"\x01\x03":
        return False
    inner = children(parts[1][1])
    if not inner:
        return False
    return _oid_value(inner[0][1]) in (OID_PKCS7_DATA, OID_PKCS7_SIGNED)


def looks_like_pkcs7(data: bytes) -> bool:
    """ContentInfo ::= SEQUENCE { contentType OID signedData, content [0] ... }."""
    parts = children(data)
    if not parts:
        return False
    return _oid_value(parts[0][1]) == OID_PKCS7_SIGNED


def looks_like_signed_object(data: bytes) -> bool:
    """SEQUENCE { SEQUENCE tbs, SEQUENCE algorithm, BIT STRING signature }: a certificate,
    CSR or CRL; used to call an unreadable one "malformed" rather than "unknown"."""
    parts = children(data)
    return (
        parts is not None
        and len(parts) == 3
        and [tag for tag, _ in parts] == [SEQUENCE, SEQUENCE, BIT_STRING]
    )
