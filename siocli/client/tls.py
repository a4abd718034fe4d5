"""The TLS options of siocli's connections, shared by `connect` and `doctor`."""

import ssl


def unverified_context():
    """A client TLS context that checks no certificate: -k, and the questions that ask
    only whether a port speaks TLS."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def ssl_option(settings):
    """aiohttp's ``ssl=`` for ``settings``: False with -k (no check), a context trusting
    --cacert's file, or None (the system's CAs)."""
    if settings.insecure:
        return False
    if settings.cacert:
        return ssl.create_default_context(cafile=settings.cacert)
    return None
