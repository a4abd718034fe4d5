"""Unit tests of siocli.auth: what is shown of auth payloads and headers."""

import json

from siocli.auth import masked, masked_headers


def test_masking_hides_every_auth_value():
    shown = masked({"token": "supersecret", "user": {"name": "ann"}, "n": 12345})
    assert "supersecret" not in json.dumps(shown)
    assert shown["token"].startswith("su") and "*" in shown["token"]
    assert masked_headers({"Authorization": "Bearer abcdef", "X-Trace": "1"}) == {
        "Authorization": "Be********", "X-Trace": "1"}
