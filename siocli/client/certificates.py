"""What `siocli doctor` shows of a server's TLS certificate: issuer, subject and expiry.

Python's ``ssl`` gives these only for a certificate it has verified; a doctor must
also describe the one it could not verify (self-signed, expired). The certificate's
DER form is read here: only the few fields needed, walked by their ASN.1 positions
(RFC 5280, 4.1), with no new dependency.
"""

import dataclasses
import datetime

NAME_FIELDS = {  # attribute type OIDs (DER body) of a distinguished name, shown as in openssl
    bytes.fromhex("550403"): "CN",
    bytes.fromhex("55040a"): "O",
    bytes.fromhex("55040b"): "OU",
    bytes.fromhex("550406"): "C",
}


class CertificateError(ValueError):
    """The bytes are not a certificate this reader understands."""


@dataclasses.dataclass(frozen=True)
class Certificate:
    issuer: str
    subject: str
    not_after: datetime.datetime  # UTC

    @property
    def self_signed(self):
        return self.issuer == self.subject

    def days_left(self, now=None):
        now = now or datetime.datetime.now(datetime.UTC)
        return int((self.not_after - now).total_seconds() // 86400)


def read_certificate(der):
    """The :class:`Certificate` of DER bytes (``ssl``'s ``getpeercert(binary_form=True)``)."""
    try:
        certificate, _ = _element(der, 0)
        tbs, _ = _element(certificate.body, 0)
        fields = list(_elements(tbs.body))
        if fields and fields[0].tag == 0xA0:  # [0] version
            fields = fields[1:]
        _serial, _algorithm, issuer, validity, subject = fields[:5]
        _not_before, not_after = list(_elements(validity.body))[:2]
        return Certificate(issuer=_name(issuer.body), subject=_name(subject.body),
                           not_after=_time(not_after))
    except (IndexError, ValueError) as exc:
        raise CertificateError("not a readable X.509 certificate (%s)" % exc) from None


@dataclasses.dataclass(frozen=True)
class _Element:
    tag: int
    body: bytes


def _element(data, offset):
    """(the element at ``offset``, the offset after it)."""
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[start:start + size], "big")
        start += size
    end = start + length
    if end > len(data):
        raise ValueError("element runs past the end")
    return _Element(tag, bytes(data[start:end])), end


def _elements(data):
    offset = 0
    while offset < len(data):
        element, offset = _element(data, offset)
        yield element


def _name(body):
    """``CN=..., O=...``: the known attributes of a Name, in their order."""
    parts = []
    for rdn in _elements(body):
        for attribute in _elements(rdn.body):
            oid, value = list(_elements(attribute.body))[:2]
            label = NAME_FIELDS.get(oid.body)
            if label:
                parts.append("%s=%s" % (label, value.body.decode("utf-8", "replace")))
    return ", ".join(parts) or "(no name)"


def _time(element):
    text = element.body.decode("ascii")
    if element.tag == 0x17:  # UTCTime: YYMMDDHHMMSSZ
        parsed = datetime.datetime.strptime(text, "%y%m%d%H%M%SZ")
    elif element.tag == 0x18:  # GeneralizedTime: YYYYMMDDHHMMSSZ
        parsed = datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise ValueError("unknown time type %#x" % element.tag)
    return parsed.replace(tzinfo=datetime.UTC)
