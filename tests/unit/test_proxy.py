"""siocli/proxy.py: which proxy a server's connection goes through, from --proxy and the
HTTP(S)_PROXY / NO_PROXY variables (upper and lower case)."""

import pytest

from siocli.errors import UsageError
from siocli.proxy import Choice, Endpoint, bypassed, choose, decide, endpoint, host_port

HTTP, HTTPS = "http://example.com:3000", "https://example.com"


def test_the_variable_of_the_server_scheme_is_used_lower_case_first():
    assert choose(HTTP, None, {"HTTP_PROXY": "http://p:1"}) == "http://p:1"
    assert choose(HTTP, None, {"http_proxy": "http://a:1", "HTTP_PROXY": "http://b:1"}) \
        == "http://a:1"
    assert choose(HTTP, None, {"HTTPS_PROXY": "http://p:1"}) is None
    assert choose(HTTPS, None, {"https_proxy": "p:8080"}) == "http://p:8080"
    assert choose(HTTPS, None, {"HTTP_PROXY": "http://p:1"}) is None
    assert choose(HTTP, None, {}) is None


def test_the_option_wins_and_no_proxy_applies_to_both():
    assert choose(HTTP, "http://u:pw@q:2", {"HTTP_PROXY": "http://p:1"}) == "http://u:pw@q:2"
    assert choose(HTTP, "q:2", {"NO_PROXY": "example.com"}) is None
    assert choose(HTTP, "q", {}) == "http://q:80"


def test_the_choice_says_which_setting_chose_the_proxy_or_why_there_is_none():
    assert decide(HTTP, "u:pw@q:2", {"HTTP_PROXY": "http://p:1"}) == Choice(
        "http://u:pw@q:2", "--proxy")
    assert decide(HTTPS, None, {"HTTPS_PROXY": "p:1", "https_proxy": "r:1"}) == Choice(
        "http://r:1", "https_proxy")
    assert decide(HTTP, None, {}).reason(HTTP) == (
        "no proxy: no --proxy, no http_proxy or HTTP_PROXY")
    assert decide(HTTPS, None, {"HTTP_PROXY": "p:1"}).reason(HTTPS) == (
        "no proxy: no --proxy, no https_proxy or HTTPS_PROXY")
    bypassing = decide(HTTP, None, {"HTTP_PROXY": "p:1", "no_proxy": ".example.com",
                                    "NO_PROXY": "other.org"})
    assert bypassing == Choice(None, "HTTP_PROXY", "no_proxy")
    assert bypassing.reason(HTTP) == "no_proxy matches example.com (HTTP_PROXY's proxy not used)"
    # a bypassed proxy's URL is not read: a bad one is no error
    assert decide(HTTP, "socks5://p:1", {"NO_PROXY": "*"}).url is None


@pytest.mark.parametrize("host, port, rules, expected", [
    ("example.com", 80, "*", True),
    ("example.com", 80, "example.com", True),
    ("api.example.com", 80, "example.com", True),
    ("api.example.com", 80, ".example.com", True),
    ("api.example.com", 80, "*.example.com", True),
    ("badexample.com", 80, "example.com", False),
    ("example.com", 80, "example.com:80", True),
    ("example.com", 81, "example.com:80", False),
    ("EXAMPLE.com.", 80, " other.org , Example.COM ", True),
    ("10.1.2.3", 80, "10.0.0.0/8", True),
    ("11.1.2.3", 80, "10.0.0.0/8", False),
    ("127.0.0.1", 5000, "127.0.0.1", True),
    ("::1", 80, "[::1]", True),
    ("::1", 80, "[::1]:81", False),
    ("127.0.0.1", 80, "localhost", False),
    ("example.com", 80, "", False),
])
def test_no_proxy_rules(host, port, rules, expected):
    assert bypassed(host, port, rules) is expected


def test_lower_case_no_proxy_wins():
    environ = {"HTTP_PROXY": "http://p:1", "no_proxy": "", "NO_PROXY": "example.com"}
    assert choose(HTTP, None, environ) == "http://p:1"


@pytest.mark.parametrize("value, message", [
    ("https://u:pw@p:1", "only http:// proxies"),
    ("socks5h://u:pw@p:1", "only http:// proxies"),
    ("http://u:pw@p:notaport", "port is not a number"),
    ("http://u:pw@:8080", "has no host"),
    ("http://u:pw@p:1/x", "with no path"),
])
def test_bad_proxies_name_their_source_never_their_value(value, message):
    with pytest.raises(UsageError) as caught:
        choose(HTTP, None, {"HTTP_PROXY": value})
    assert str(caught.value).startswith("HTTP_PROXY: ") and message in str(caught.value)
    assert "pw" not in str(caught.value)


def test_credentials_are_split_off_and_unquoted():
    assert endpoint("http://ann:p%40ss@p:1") == Endpoint("p", 1, "ann", "p@ss",
                                                         "http://ann:****@p:1")
    assert endpoint("http://p") == Endpoint("p", 80, None, None, "http://p")


def test_a_connect_target_brackets_an_ipv6_address():
    assert host_port("example.com", 443) == "example.com:443"
    assert host_port("::1", 8080) == "[::1]:8080"
