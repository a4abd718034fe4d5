"""Servers set up to fail in one way each, for `siocli doctor`'s tests.

    with start_doctor_server("--v2") as server:            # npm socket.io 2.x
    with start_doctor_server("--transports", "polling"):    # websocket refused
    with start_doctor_server("--cors", "http://ok.example"):
    cert, key = self_signed_certificate(folder)            # openssl
    cert, key = expired_certificate(folder)                # the cryptography package
    port = closed_port()                                   # nothing listens there

tests/node/doctor_server.js describes the Node server's options; the round-robin proxy
(a load balancer without sticky sessions) is in round_robin_proxy.py.
"""

import contextlib
import datetime
import shutil
import socket
import subprocess

import pytest

from node_peer import NODE_DIR, PeerServer, node_binary, require_node

DOCTOR_SERVER_JS = NODE_DIR / "doctor_server.js"


@contextlib.contextmanager
def start_doctor_server(*options):
    """``node tests/node/doctor_server.js OPTIONS`` on a free loopback port."""
    require_node()
    if "--v2" in options and not (NODE_DIR / "node_modules" / "socket.io-v2").is_dir():
        pytest.skip("tests/node/node_modules/socket.io-v2 is missing: run `npm ci --prefix "
                    "tests/node`")
    args = [node_binary() or "node", str(DOCTOR_SERVER_JS), *options, "--exit-on-stdin-eof"]
    proc = subprocess.Popen(args, cwd=str(NODE_DIR), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    server = PeerServer(proc, "127.0.0.1", "/socket.io", args)
    try:
        server.wait_port(15)
        yield server
    finally:
        server.stop()


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder):
    """(cert.pem, key.pem) for 127.0.0.1, valid 30 days, made with openssl."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = folder / "self-signed.pem", folder / "self-signed-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=127.0.0.1/O=siocli doctor test",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def expired_certificate(folder):
    """(cert.pem, key.pem) for 127.0.0.1 that expired 3 days ago, issued by a CA of its
    own; also writes ``ca.pem`` (trusted with --cacert, so that the only fault left is
    the expiry). Made with the cryptography package (openssl 3.0's command line cannot
    date a certificate in the past)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "siocli doctor test")])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("doctor test CA"))
          .issuer_name(name("doctor test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=30))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1"))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=10))
            .not_valid_after(now - datetime.timedelta(days=3))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "expired.pem", folder / "expired-key.pem", folder / "ca.pem"
    paths[0].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    paths[2].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths
