"""Which HTTP proxy a connection goes through: `--proxy URL`, else the `https_proxy` /
`http_proxy` variable for the server's scheme (lower case first, then upper case), unless
`no_proxy` / `NO_PROXY` names the server. Decided once, from the settings (no heavy
imports); client/ does the proxying."""

import dataclasses
import ipaddress
import urllib.parse

from siocli.errors import UsageError

NO_PROXY_NAMES = ("no_proxy", "NO_PROXY")


@dataclasses.dataclass(frozen=True)
class Choice:
    """What :func:`decide` found: the proxy URL (None: connect directly), the setting it
    came from (``--proxy`` or a variable's name), and, when a NO_PROXY rule bypassed it,
    that variable's name."""

    url: str = None
    source: str = None
    bypassed_by: str = None

    def reason(self, server_url):
        """Why there is no proxy, in words (``no proxy: ...``, ``NO_PROXY matches HOST``)."""
        parts = urllib.parse.urlsplit(server_url)
        if self.bypassed_by:
            return "%s matches %s (%s's proxy not used)" % (self.bypassed_by, parts.hostname,
                                                            self.source)
        scheme = parts.scheme.lower()
        return "no proxy: no --proxy, no %s_proxy or %s_PROXY" % (scheme, scheme.upper())


def choose(server_url, explicit, environ):
    """The proxy URL for ``server_url`` (``http://[user:password@]host:port``), or None.
    ``explicit``: --proxy, which wins over the variables; NO_PROXY applies to both."""
    return decide(server_url, explicit, environ).url


def decide(server_url, explicit, environ):
    """The :class:`Choice` for ``server_url``: --proxy (``explicit``), else the variable
    of the server's scheme; NO_PROXY applies to both. UsageError on a bad proxy URL."""
    parts = urllib.parse.urlsplit(server_url)
    source, value = "--proxy", explicit
    if not value:
        scheme = parts.scheme.lower()
        for name in (scheme + "_proxy", (scheme + "_proxy").upper()):
            if environ.get(name):
                source, value = name, environ[name]
                break
    if not value:
        return Choice()
    rules_name = next((name for name in NO_PROXY_NAMES if environ.get(name) is not None), None)
    if rules_name and bypassed(parts.hostname or "",
                               parts.port or (443 if parts.scheme == "https" else 80),
                               environ[rules_name]):
        return Choice(source=source, bypassed_by=rules_name)
    return Choice(normalise(value, source), source)


def normalise(value, source):
    """``value`` as an http:// proxy URL; UsageError naming ``source`` (never the value:
    it may hold a password) when it is not one."""
    value = value.strip()
    if "://" not in value:
        value = "http://" + value
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port
    except ValueError:
        raise UsageError("%s: the proxy's port is not a number from 1 to 65535" % source) from None
    if parts.scheme.lower() != "http":
        raise UsageError("%s: only http:// proxies are supported (got %s://); the tunnel to "
                         "an https server is encrypted end to end all the same"
                         % (source, parts.scheme))
    if not parts.hostname:
        raise UsageError("%s: the proxy URL has no host (http://HOST:PORT)" % source)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError("%s: a proxy URL is http://[USER:PASSWORD@]HOST[:PORT], with no path"
                         % source)
    netloc = parts.netloc.rpartition("@")
    host = netloc[2] if port else "%s:%d" % (netloc[2], 80)
    return "http://%s%s" % (netloc[0] + "@" if netloc[1] else "", host)


def bypassed(host, port, rules):
    """Whether NO_PROXY ``rules`` (comma or space separated: `*`, host names, `.domain`
    or `*.domain` suffixes, IP addresses, CIDR blocks, each with an optional `:port`)
    name ``host``:``port``."""
    host = host.lower().strip("[]").rstrip(".")
    for rule in rules.replace(",", " ").split():
        rule = rule.lower()
        if rule == "*":
            return True
        rule, rule_port = split_port(rule)
        if rule_port is not None and rule_port != port:
            continue
        if matches(host, rule.strip("[]").rstrip(".")):
            return True
    return False


def split_port(rule):
    if rule.startswith("["):  # [::1]:8080
        address, _, rest = rule[1:].partition("]")
        return address, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    name, sep, port = rule.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        return name, int(port)
    return rule, None


def matches(host, rule):
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and "/" in rule:
        try:
            return address in ipaddress.ip_network(rule, strict=False)
        except ValueError:
            return False
    if address is not None:
        try:
            return address == ipaddress.ip_address(rule)
        except ValueError:
            return False
    rule = rule.removeprefix("*")
    if rule.startswith("."):
        return host.endswith(rule) or host == rule[1:]
    return host == rule or host.endswith("." + rule)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A proxy URL from :func:`choose`, taken apart: where to connect, the credentials
    to send, and the URL fit to show (password masked)."""

    host: str
    port: int
    user: str = None
    password: str = None
    shown: str = None


def endpoint(proxy_url):
    """The :class:`Endpoint` of a proxy URL (``http://[user:password@]host[:port]``)."""
    from siocli.auth import mask_url

    parts = urllib.parse.urlsplit(proxy_url)
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return Endpoint(parts.hostname, parts.port or 80, user, password, mask_url(proxy_url))


def host_port(host, port):
    """``host:port`` as a CONNECT target names it (an IPv6 address in brackets)."""
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
