"""A fallback reader for the extensions the wizard shows, one extension at a time.

cryptography parses all extensions together: one malformed extension (a bad SCT list, a
duplicate, an odd policy) makes ``cert.extensions`` raise and would hide the SANs, the
basic constraints and the key usages with it. OpenSSL still shows those. This module reads
them straight from the TBSCertificate DER so that only the broken extension is lost.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from . import der

_SAN = "2.5.29.17"
_BASIC_CONSTRAINTS = "2.5.29.19"
_KEY_USAGE = "2.5.29.15"
_EKU = "2.5.29.37"
KNOWN = {
    _SAN: "subject_alternative_name",
    _BASIC_CONSTRAINTS: "basic_constraints",
    _KEY_USAGE: "key_usage",
    _EKU: "extended_key_usage",
}
_KEY_USAGE_BITS = (
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
)


@dataclass
class RawExtensions:
    """What could be read; ``unreadable`` names the fields that could not."""

    sans: tuple[str, ...] = ()
    dns_names: tuple[str, ...] = ()
    is_ca: bool = False
    path_length: int | None = None
    key_usage: tuple[str, ...] = ()
    extended_key_usage: tuple[str, ...] = ()
    unreadable: list[str] = field(default_factory=list)


class _Bad(ValueError):
    pass


def _content(tlv: bytes) -> bytes:
    item = der.header(tlv)
    if item is None:
        raise _Bad("bad TLV")
    return tlv[item[1] : item[1] + item[2]]


def _kids(tlv: bytes) -> list[tuple[int, bytes]]:
    kids = der.children(tlv)
    if kids is None:
        raise _Bad("bad constructed value")
    return kids


def oid_text(value: bytes) -> str:
    """Dotted text of an OID's content octets."""
    if not value:
        raise _Bad("empty OID")
    numbers: list[int] = []
    current = 0
    for byte in value:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(current)
            current = 0
    if value[-1] & 0x80:
        raise _Bad("truncated OID")
    first = numbers[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(n) for n in head + numbers[1:])


def _extensions(tbs: bytes) -> list[tuple[str, bytes]]:
    """(dotted OID, extnValue content) of every extension in a TBSCertificate."""
    for tag, tlv in _kids(tbs):
        if tag == 0xA3:
            result = []
            for _, extension in _kids(_content(tlv)):
                parts = _kids(extension)
                if len(parts) < 2 or parts[0][0] != der.OID or parts[-1][0] != 0x04:
                    raise _Bad("bad extension")
                result.append((oid_text(_content(parts[0][1])), _content(parts[-1][1])))
            return result
    return []


def _general_names(value: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    texts: list[str] = []
    dns: list[str] = []
    for tag, tlv in _kids(value):
        body = _content(tlv)
        if tag == 0x82:
            name = body.decode("latin-1")
            texts.append(f"DNS:{name}")
            dns.append(name)
        elif tag == 0x87:
            texts.append(f"IP:{ipaddress.ip_address(body)}")
        elif tag == 0x81:
            texts.append(f"email:{body.decode('latin-1')}")
        elif tag == 0x86:
            texts.append(f"URI:{body.decode('latin-1')}")
        elif tag == 0xA4:
            texts.append("DirName:(unparsed)")
        elif tag == 0x88:
            texts.append(f"RID:{oid_text(body)}")
        elif tag == 0xA0:
            texts.append("othername:(unparsed)")
        else:
            texts.append(f"unknown:[{tag & 0x1F}]")
    return tuple(texts), tuple(dns)


def _basic_constraints(value: bytes) -> tuple[bool, int | None]:
    ca, path_length = False, None
    for tag, tlv in _kids(value):
        if tag == 0x01:
            ca = _content(tlv) != b"\x00"
        elif tag == der.INTEGER:
            path_length = int.from_bytes(_content(tlv), "big", signed=True)
    return ca, path_length


def _key_usage(value: bytes) -> tuple[str, ...]:
    body = _content(value)
    if not body or body[0] > 7:
        raise _Bad("bad BIT STRING")
    bits = int.from_bytes(body[1:], "big") if len(body) > 1 else 0
    width = 8 * (len(body) - 1)
    return tuple(
        name
        for index, name in enumerate(_KEY_USAGE_BITS)
        if index < width and bits >> (width - 1 - index) & 1
    )


def _extended_key_usage(value: bytes, names: dict[str, str]) -> tuple[str, ...]:
    result = []
    for tag, tlv in _kids(value):
        if tag != der.OID:
            raise _Bad("bad EKU")
        dotted = oid_text(_content(tlv))
        result.append(names.get(dotted, dotted))
    return tuple(result)


def read_raw(tbs: bytes, eku_names: dict[str, str]) -> RawExtensions:
    """The SANs, basic constraints, key usage and EKU of ``tbs``, each on its own."""
    raw = RawExtensions()
    try:
        extensions = _extensions(tbs)
    except (_Bad, ValueError, IndexError):
        raw.unreadable += list(KNOWN.values())
        return raw
    seen: dict[str, int] = {}
    for oid, _ in extensions:
        seen[oid] = seen.get(oid, 0) + 1
    for oid, value in extensions:
        name = KNOWN.get(oid)
        if name is None:
            continue
        if seen[oid] > 1:  # a duplicate extension is invalid: neither copy is believed
            if name not in raw.unreadable:
                raw.unreadable.append(name)
            continue
        try:
            if oid == _SAN:
                raw.sans, raw.dns_names = _general_names(value)
            elif oid == _BASIC_CONSTRAINTS:
                raw.is_ca, raw.path_length = _basic_constraints(value)
            elif oid == _KEY_USAGE:
                raw.key_usage = _key_usage(value)
            else:
                raw.extended_key_usage = _extended_key_usage(value, eku_names)
        except (_Bad, ValueError, IndexError):
            raw.unreadable.append(name)
    return raw
