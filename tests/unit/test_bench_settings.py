"""siocli.settings.BenchSettings: `siocli bench`'s options, checked and frozen."""

import dataclasses

import pytest

from siocli.errors import UsageError
from siocli.settings import BENCH_DEFAULT_NUMBER, BenchSettings

URL = "http://127.0.0.1:3000/chat?room=1"


def bench(**options):
    return BenchSettings.from_options({"url": URL, **options})


def test_a_call_with_its_arguments_and_the_connection_options():
    settings = bench(call='echo {"a": 1} 2', number=10, concurrency=4, transports=("websocket",),
                     token="s3cret", headers=("X-A: b",), ack_timeout=2.0, path="/io")
    assert (settings.kind, settings.event, settings.args) == ("call", "echo", ({"a": 1}, 2))
    assert (settings.number, settings.duration, settings.concurrency) == (10, None, 4)
    connection = settings.connection
    assert connection.url == "http://127.0.0.1:3000?room=1"
    assert settings.namespace == "/chat"
    assert connection.transports == ("websocket",)
    assert connection.auth == {"token": "s3cret"}
    assert connection.headers == {"X-A": "b"}
    assert connection.ack_timeout == 2.0 and connection.path == "/io"
    assert connection.actions == ()  # the load is not a scripted run's actions
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.number = 3


def test_defaults_are_a_thousand_one_at_a_time():
    settings = bench(emit="chat hi")
    assert (settings.kind, settings.event, settings.args) == ("emit", "chat", ("hi",))
    assert (settings.number, settings.duration, settings.concurrency) == (
        BENCH_DEFAULT_NUMBER, None, 1)


def test_a_duration_instead_of_a_number():
    settings = bench(call="echo", duration=2.5)
    assert (settings.number, settings.duration) == (None, 2.5)


@pytest.mark.parametrize("options,message", [
    ({}, "give one of --emit or --call"),
    ({"emit": "a", "call": "b"}, "not both"),
    ({"call": "echo", "number": 3, "duration": 1.0}, "-n/--number and --duration"),
    ({"call": "echo", "number": 0}, "-n/--number must be more than 0"),
    ({"call": "echo", "duration": 0.0}, "--duration must be more than 0"),
    ({"call": "echo", "duration": float("nan")}, "--duration"),
    ({"call": "echo", "concurrency": 0}, "-c/--concurrency must be more than 0"),
    ({"call": "echo", "concurrency": 10**6}, "at most"),
    ({"call": "disconnect"}, "reserved"),
    ({"call": "echo {"}, "unterminated"),
    ({"emit": ""}, "missing event name"),
    ({"call": "echo", "insecure": True, "cacert": "x.pem"}, "give one of them"),
    ({"call": "echo", "auth_pairs": ("novalue",)}, "KEY=VALUE"),
])
def test_bad_input_is_one_usage_error(options, message):
    with pytest.raises(UsageError) as error:
        bench(**options)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
