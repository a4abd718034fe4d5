"""Saved connections: `[profiles.NAME]` tables in `$XDG_CONFIG_HOME/siocli/config.toml`,
each holding `siocli connect` options by their long names.

    [profiles.staging]
    url = "https://staging.example.com/chat"
    namespace = ["/admin"]
    header = ["X-Team: web"]
    token-env = "STAGING_TOKEN"     # the token comes from this environment variable
    reconnect = false

Read only when a profile is asked for (`-p`, `siocli profiles`, completing `-p`): the
stdlib's tomllib and click, nothing heavy. A bad file is a ProfileError naming the file
and the line.
"""

import dataclasses
import os
import pathlib
import re
import stat

from siocli.auth import is_secret, is_secret_header, mask_url, mask_value, masked_headers

# profile keys that are not options: where a secret comes from instead of the file
ENV_KEYS = {"token-env": "token"}
TABLE = re.compile(r"""^\s*\[\s*profiles\s*\.\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")
KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
OTHER_TABLE = re.compile(r"^\s*\[")
PROFILES_TABLE = re.compile(r"^\s*\[\s*profiles\s*\]")


class ProfileError(Exception):
    """The config file cannot be used: the message names the file (and line)."""


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    options: dict  # long option name (as on the command line, no dashes) -> TOML value
    lines: dict  # key -> line number in the file
    line: int  # the line of its [profiles.NAME] header

    def literal_secrets(self):
        """The keys of this profile that hold a secret written in the file."""
        return [key for key, value in self.options.items() if holds_secret(key, value)]

    def shown(self):
        """The options fit to show: the values of secrets masked."""
        return {key: shown_value(key, value) for key, value in self.options.items()}


@dataclasses.dataclass(frozen=True)
class Config:
    path: pathlib.Path
    profiles: dict  # name -> Profile
    exists: bool = True

    def profile(self, name):
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ProfileError("%s: no profile %r (profiles: %s)" % (self.path, name, known))
        return self.profiles[name]

    def exposed(self):
        """Where the file holds a literal secret ("profile NAME: key"), when group or
        others may read it; else None."""
        secrets = ["profile %s: %s" % (name, ", ".join(profile.literal_secrets()))
                   for name, profile in sorted(self.profiles.items())
                   if profile.literal_secrets()]
        try:
            readable = os.stat(self.path).st_mode & (stat.S_IRGRP | stat.S_IROTH)
        except OSError:
            return None
        return "; ".join(secrets) if secrets and readable else None


def config_path(environ):
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".config")
    return pathlib.Path(base) / "siocli" / "config.toml"


def load(environ):
    """The config file of ``environ``'s XDG_CONFIG_HOME; an empty Config when there is none."""
    path = config_path(environ)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path, {}, exists=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError("%s: cannot be read (%s)" % (path, getattr(exc, "strerror", None)
                                                        or exc)) from None
    return parse(path, text)


def parse(path, text):
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line N, column M)": put the line where a compiler would
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)$", message)
        if where:
            message = "%s:%s: %s" % (path, where.group(1), message[:where.start()].strip())
        else:
            message = "%s: %s" % (path, message)
        raise ProfileError("%s (not valid TOML)" % message) from None
    headers, keys = locate(text)
    unknown = sorted(set(document) - {"profiles"})
    if unknown:
        raise ProfileError("%s:%d: unknown table or key %r (only [profiles.NAME] tables)"
                           % (path, top_level_line(text, unknown[0]), unknown[0]))
    tables = document.get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError("%s:%d: `profiles` must be a table of [profiles.NAME] tables"
                           % (path, top_level_line(text, "profiles")))
    profiles = {}
    for name, options in tables.items():
        line = headers.get(name, 1)
        if not isinstance(options, dict):
            raise ProfileError("%s:%d: profiles.%s must be a table ([profiles.%s])"
                               % (path, line, name, name))
        lines = {key: keys.get((name, key), line) for key in options}
        profiles[name] = Profile(name, {key.replace("_", "-"): value
                                        for key, value in options.items()},
                                 {key.replace("_", "-"): number for key, number in lines.items()},
                                 line)
    return Config(path, profiles)


def locate(text):
    """({profile: line of its header}, {(profile, key): line}) as far as plain TOML goes."""
    headers, keys, current = {}, {}, None
    for number, line in enumerate(text.splitlines(), start=1):
        table = TABLE.match(line)
        if table:
            current = next(group for group in table.groups() if group is not None)
            headers.setdefault(current, number)
            continue
        if PROFILES_TABLE.match(line):  # [profiles] with `NAME = {...}` keys in it
            current = PROFILES_TABLE
            continue
        if OTHER_TABLE.match(line):
            current = None
            continue
        key = KEY.match(line)
        if key and current is PROFILES_TABLE:
            headers.setdefault(next(g for g in key.groups() if g is not None), number)
        elif key and current is not None:
            keys.setdefault((current, next(g for g in key.groups() if g is not None)), number)
    return headers, keys


def top_level_line(text, key):
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[?\s*%s\b" % re.escape(key), line):
            return number
    return 1


def holds_secret(key, value):
    """Whether the profile key ``key`` holds a secret written in the file."""
    if key in ("token", "auth-json"):
        return True
    if key in ("url", "proxy"):
        return isinstance(value, str) and mask_url(value) != value
    if key in ("auth", "query"):
        return any(is_secret(str(item).partition("=")[0]) for item in as_list(value))
    if key == "header":
        return any(is_secret_header(str(item).partition(":")[0]) for item in as_list(value))
    return False


def as_list(value):
    return value if isinstance(value, list) else [value]


def shown_value(key, value):
    if key in ("url", "proxy") and isinstance(value, str):
        return mask_url(value)
    if key in ("token", "auth-json"):
        return mask_value(value)
    if key in ("auth", "query"):
        return [mask_pair(item) for item in as_list(value)]
    if key == "header":
        return [mask_header(item) for item in as_list(value)]
    return value


def mask_pair(item):
    name, sep, value = str(item).partition("=")
    return "%s=%s" % (name, mask_value(value)) if sep and is_secret(name) else item


def mask_header(item):
    name, sep, value = str(item).partition(":")
    if not sep:
        return item
    return "%s: %s" % (name.strip(), masked_headers({name.strip(): value.strip()})[name.strip()])


def option_names(params):
    """{long name without dashes: click parameter} of a command's options and arguments."""
    names = {}
    for param in params:
        if param.param_type_name == "argument":
            names[param.name] = param
            continue
        for opt in param.opts:
            if opt.startswith("--"):
                names[opt[2:]] = param
    names.pop("help", None)
    names.pop("profile", None)
    return names


def defaults(profile, params, environ, path):
    """click's default_map for ``profile`` ({parameter name: value}); ProfileError on a key
    that is no option, a value of the wrong kind, or a secret's variable that is not set."""
    import click

    names = option_names(params)
    found = {}
    for key, value in profile.options.items():
        where = "%s:%d: profile %r" % (path, profile.lines.get(key, profile.line), profile.name)
        if key in ENV_KEYS:
            target = ENV_KEYS[key]
            if target in profile.options:
                raise ProfileError("%s: give %s or %s, not both" % (where, target, key))
            if not isinstance(value, str) or not value:
                raise ProfileError("%s: %s must name an environment variable" % (where, key))
            if value not in environ:
                raise ProfileError("%s: %s names %s, which is not set" % (where, key, value))
            found[names[target].name] = environ[value]
            continue
        param = names.get(key)
        if param is None:
            raise ProfileError("%s: unknown option %r (keys are connect's long option names: "
                               "url, namespace, header, token-env, ...)" % (where, key))
        found[param.name] = checked_value(param, key, value, where, click)
    return found


def checked_value(param, key, value, where, click):
    """``value`` as click would take it from the command line, or ProfileError."""
    if getattr(param, "multiple", False):
        items = as_list(value)
        if not all(isinstance(item, str) for item in items):
            raise ProfileError("%s: %s must be a string or a list of strings" % (where, key))
        for item in items:
            check_choice(param, key, item, where, click)
        return items
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        if not isinstance(value, bool):
            raise ProfileError("%s: %s must be true or false" % (where, key))
        return value
    if isinstance(param.type, click.types.IntParamType):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError("%s: %s must be a whole number" % (where, key))
        return value
    if isinstance(param.type, click.types.FloatParamType):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError("%s: %s must be a number of seconds" % (where, key))
        return float(value)
    if not isinstance(value, str):
        raise ProfileError("%s: %s must be a string" % (where, key))
    check_choice(param, key, value, where, click)
    return value


def check_choice(param, key, value, where, click):
    if isinstance(param.type, click.Choice) and value not in param.type.choices:
        raise ProfileError("%s: %s must be one of %s, got %r"
                           % (where, key, ", ".join(param.type.choices), value))


def listing(config, environ):
    """`siocli profiles`: one line per profile (name, URL, its other options), secrets
    masked; where a secret comes from a variable, whether it is set."""
    import json

    rows = []
    for name in sorted(config.profiles):
        shown = config.profiles[name].shown()
        url = shown.pop("url", "(no url)")
        words = []
        for key, value in shown.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if key in ENV_KEYS:
                text += " (set)" if value in environ else " (not set)"
            words.append("%s=%s" % (key, text))
        rows.append((name, str(url), "  ".join(words)))
    width = max((len(row[0]) for row in rows), default=0)
    url_width = max((len(row[1]) for row in rows), default=0)
    return [("%-*s  %-*s  %s" % (width, name, url_width, url, rest)).rstrip()
            for name, url, rest in rows]
