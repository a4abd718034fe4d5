"""The pieces of `siocli doctor` that need no server: the certificate reader, Engine.IO's
shapes, the Socket.IO 2 signs, the records and the view."""

import datetime
import io
import shutil
import ssl
import subprocess

import pytest

from siocli import records
from siocli.client import engine_wire, legacy
from siocli.client.certificates import CertificateError, read_certificate
from siocli.environment import Environment
from siocli.output.doctor_view import DoctorView, table_of, verdict
from siocli.output.writer import Output

V3_BODY = ('97:0{"sid":"J-fZq1UxNuWluUeNAAAA","upgrades":["websocket"],"pingInterval":25000,'
           '"pingTimeout":20000}2:40')
V4_BODY = ('0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,'
           '"maxPayload":1000000}')


def test_the_certificate_reader_reads_what_openssl_wrote(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert = tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "10",
                    "-subj", "/CN=example.test/O=Example Org", "-keyout",
                    str(tmp_path / "key.pem"), "-out", str(cert)], check=True,
                   capture_output=True)
    certificate = read_certificate(ssl.PEM_cert_to_DER_cert(cert.read_text()))
    assert certificate.issuer == certificate.subject == "CN=example.test, O=Example Org"
    assert certificate.self_signed
    assert certificate.days_left() == 9  # 10 days less the seconds since it was made
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=12)
    assert certificate.days_left(later) == -3


@pytest.mark.parametrize("garbage", [b"", b"\x30\x05\x02\x01", b"not a certificate"])
def test_the_certificate_reader_refuses_what_is_not_one(garbage):
    with pytest.raises(CertificateError):
        read_certificate(garbage)


def test_engine_io_3_framing_is_recognised():
    assert engine_wire.is_engine_io_3(V3_BODY)
    assert not engine_wire.is_engine_io_3(V4_BODY)
    assert engine_wire.open_packet_of(V3_BODY)["sid"] == "J-fZq1UxNuWluUeNAAAA"
    assert engine_wire.open_packet_of(V4_BODY)["maxPayload"] == 1000000
    assert engine_wire.open_packet_of("<html>") is None


def test_the_answer_to_a_namespace_connect():
    assert engine_wire.namespace_answer('40{"sid":"x"}', "/") == ("connect", {"sid": "x"})
    assert engine_wire.namespace_answer('44/a,{"message":"no"}', "/a") == (
        "connect_error", {"message": "no"})
    assert engine_wire.namespace_answer('40{"sid":"x"}', "/a") is None
    assert engine_wire.namespace_answer('42["x"]', "/") is None
    assert engine_wire.connect_packet("/", None) == "40"
    assert engine_wire.connect_packet("/a", {"token": "t"}) == '40/a,{"token":"t"}'


@pytest.mark.parametrize("body,short", [
    ('{"code":1,"message":"Session ID unknown"}', "HTTP 400 Session ID unknown"),
    ('"http://x is not an accepted origin."', "HTTP 400 http://x is not an accepted origin."),
    ("400: Bad Request", "HTTP 400 Bad Request"),
])
def test_an_answer_in_short(body, short):
    assert engine_wire.Answer(400, {}, body, 1.0).short() == short


@pytest.mark.parametrize("frame,opened,expected", [
    (V3_BODY, False, True),
    (V4_BODY, False, False),
    ("40", True, True),
    ("40/chat,", True, True),
    ('40{"sid":"abc"}', True, False),
    ('40/chat,{"sid":"abc"}', True, False),
    ("42[\"x\"]", True, False),
    ("40", False, False),  # before the OPEN packet only the framing tells
    (b"40", True, False),
])
def test_the_signs_of_a_socketio_2_server(frame, opened, expected):
    assert legacy.from_socketio_2(frame, opened) is expected


def test_a_doctor_record_is_strict_json():
    record = records.doctor("/", "tls", "fail", "not verified", "renew it", 3.2,
                            {"days_left": -3})
    assert list(record)[:3] == ["type", "ts", "namespace"]
    assert records.to_json(record).endswith(
        '"step":"tls","status":"fail","value":"not verified","fix":"renew it","ms":3.2,'
        '"data":{"days_left":-3}}')


RESULTS = [
    {"step": "dns", "label": "DNS", "status": "pass", "value": "127.0.0.1", "fix": None},
    {"step": "tcp", "label": "TCP", "status": "fail", "value": "refused\x1b[2J",
     "fix": "start it"},
    {"step": "tls", "label": "TLS", "status": "skipped", "value": "after", "fix": None},
]


def test_the_verdict_names_the_first_failure():
    assert verdict(RESULTS) == ("1 passed, 1 failed, 1 skipped: the first failure is the one "
                                "to fix (TCP)")
    assert verdict(RESULTS[:1]).endswith("the server looks healthy from here")


def test_the_table_has_the_fix_under_the_failure():
    table = table_of("siocli doctor: x", RESULTS)
    assert table.rows == [("DNS", "pass", "127.0.0.1"), ("TCP", "FAIL", "refused\x1b[2J"),
                          ("", "", "fix: start it"), ("TLS", "skipped", "after")]


@pytest.mark.parametrize("fmt", ["rich", "plain"])
def test_what_the_server_said_cannot_reach_the_terminal(fmt):
    stream = io.StringIO()
    env = Environment(stdout=stream, stderr=io.StringIO(), stdout_isatty=False, output=fmt,
                      color=False)
    view = DoctorView(Output(env))
    view.start("http://x")
    for result in RESULTS:
        record = {key: value for key, value in result.items() if key != "label"}
        view.step(record, result["label"])
    view.finish()
    text = stream.getvalue()
    assert "\x1b" not in text and "refused\\u001b[2J" in text
    assert "fix: start it" in text


def test_a_msgpack_connect_is_what_socket_io_msgpack_parser_decodes():
    import base64

    import msgpack

    from siocli.client import probe_parser

    message = probe_parser.connect_message("msgpack", "/private", {"token": "t"})
    assert msgpack.unpackb(message) == {"type": 0, "data": {"token": "t"}, "nsp": "/private"}
    # no auth: no data key at all, as the JS client's undefined auth is written
    assert msgpack.unpackb(probe_parser.connect_message("msgpack", "/", None)) == {
        "type": 0, "nsp": "/"}
    assert probe_parser.polling_packet(message) == "b" + base64.b64encode(message).decode()
    assert probe_parser.connect_message("default", "/", None) == "40"
    assert probe_parser.polling_packet("40") == "40"


def test_the_answer_to_a_namespace_connect_in_each_parser():
    import base64

    import msgpack

    from siocli.client import probe_parser

    accepted = msgpack.packb({"type": 0, "data": {"sid": "x"}, "nsp": "/"})
    refused = msgpack.packb({"type": 4, "data": {"message": "no"}, "nsp": "/chat"})
    as_polling = "b" + base64.b64encode(accepted).decode()
    assert probe_parser.namespace_answer("msgpack", accepted, "/") == ("connect", {"sid": "x"})
    assert probe_parser.namespace_answer("msgpack", as_polling, "/") == ("connect",
                                                                         {"sid": "x"})
    assert probe_parser.namespace_answer("msgpack", refused, "/chat") == (
        "connect_error", {"message": "no"})
    assert probe_parser.namespace_answer("msgpack", refused, "/") is None
    # the other parser's answer, or what neither decodes, is no answer
    assert probe_parser.namespace_answer("msgpack", '40{"sid":"x"}', "/") is None
    assert probe_parser.namespace_answer("msgpack", "b!!", "/") is None
    assert probe_parser.namespace_answer("msgpack", b"\xc1", "/") is None
    assert probe_parser.namespace_answer("default", accepted, "/") is None
    assert probe_parser.namespace_answer("default", '40{"sid":"x"}', "/") == ("connect",
                                                                              {"sid": "x"})
