"""siocli/profiles.py and the `-p` / `siocli profiles` wiring in siocli/cli.py, in process
(click's CliRunner): which options a profile gives, where a bad key is, what is masked."""

import pytest
from click.testing import CliRunner

from siocli import cli, profiles

CONFIG = """\
# saved connections
[profiles.local]
url = "http://127.0.0.1:3000/chat"
namespace = ["/a", "/b"]
header = "X-Team: web"
transport = ["websocket"]
reconnect = false
reconnect-attempts = 3
connect_timeout = 2
token-env = "LOCAL_TOKEN"

[profiles."with space"]
url = "http://h"
"""


def connect_defaults(text, name, environ=None, tmp_path=None):
    config = profiles.parse(tmp_path / "config.toml", text)
    return profiles.defaults(config.profile(name), cli.connect.params, environ or {},
                             config.path)


def test_long_names_become_click_defaults(tmp_path):
    found = connect_defaults(CONFIG, "local", {"LOCAL_TOKEN": "tok"}, tmp_path)
    assert found == {"url": "http://127.0.0.1:3000/chat", "namespaces": ["/a", "/b"],
                     "headers": ["X-Team: web"], "transports": ["websocket"],
                     "reconnect": False, "reconnect_attempts": 3, "connect_timeout": 2.0,
                     "token": "tok"}


def test_lines_are_found_for_keys_and_quoted_profile_names(tmp_path):
    config = profiles.parse(tmp_path / "config.toml", CONFIG)
    assert config.profiles["local"].line == 2
    assert config.profiles["local"].lines["reconnect"] == 7
    assert config.profiles["local"].lines["connect-timeout"] == 9
    assert config.profiles["with space"].line == 12


@pytest.mark.parametrize("text, message", [
    ('[profiles.a]\nemit = [1]\n', "config.toml:2: profile 'a': emit must be a string or a "
                                   "list of strings"),
    ('[profiles.a]\ninsecure = "yes"\n', "config.toml:2: profile 'a': insecure must be true "
                                         "or false"),
    ('[profiles.a]\nwait = "1"\n', "config.toml:2: profile 'a': wait must be a number"),
    ('[profiles.a]\nno-reconnect = true\n', "config.toml:2: profile 'a': unknown option "
                                            "'no-reconnect'"),
    ('[profiles.a]\nprofile = "b"\n', "config.toml:2: profile 'a': unknown option 'profile'"),
    ('[profiles.a]\ntoken-env = 3\n', "config.toml:2: profile 'a': token-env must name an "
                                      "environment variable"),
])
def test_wrong_keys_and_values_name_the_line(text, message, tmp_path):
    with pytest.raises(profiles.ProfileError) as caught:
        connect_defaults(text, "a", tmp_path=tmp_path)
    assert str(caught.value).startswith(str(tmp_path / message)), str(caught.value)


def test_literal_secrets_are_found_and_masked(tmp_path):
    config = profiles.parse(tmp_path / "c.toml", """\
[profiles.a]
url = "http://u:pw@h/?session=abc"
query = ["room=1", "api_key=zzzzzz"]
auth-json = '{"token": "abcdef"}'
header = ["Cookie: sid=123456"]
proxy = "http://ann:pw@proxy:3128"
[profiles.b]
url = "http://h"
auth = ["user=ann"]
""")
    assert config.profiles["a"].literal_secrets() == ["url", "query", "auth-json", "header",
                                                       "proxy"]
    assert config.profiles["b"].literal_secrets() == []
    shown = config.profiles["a"].shown()
    assert shown == {"url": "http://u:****@h/?session=****",
                     "query": ["room=1", "api_key=zz****"],
                     "auth-json": '{"********', "header": ["Cookie: si********"],
                     "proxy": "http://ann:****@proxy:3128"}


def run(tmp_path, *args, mode=0o600, text=CONFIG, env=None):
    path = tmp_path / "siocli" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return CliRunner().invoke(cli.main, list(args),
                              env={"XDG_CONFIG_HOME": str(tmp_path), **(env or {})})


def test_profiles_command_lists_them(tmp_path):
    result = run(tmp_path, "profiles")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        str(tmp_path / "siocli" / "config.toml"),
        'local       http://127.0.0.1:3000/chat  namespace=["/a", "/b"]  header=["X-Team: web"]'
        '  transport=["websocket"]  reconnect=false  reconnect-attempts=3  connect-timeout=2'
        '  token-env=LOCAL_TOKEN (not set)',
        "with space  http://h",
    ]


def test_an_unknown_profile_exits_2_with_one_line(tmp_path):
    result = run(tmp_path, "connect", "-p", "nope")
    assert result.exit_code == 2
    assert result.output == "siocli: error: %s: no profile 'nope' (profiles: local, with " \
                            "space)\n" % (tmp_path / "siocli" / "config.toml")


def test_a_profile_without_a_url_still_needs_one(tmp_path):
    result = run(tmp_path, "connect", "-p", "a", text='[profiles.a]\ntoken-env = "T"\n',
                 env={"T": "x"})
    assert result.exit_code == 2
    assert "Missing argument 'URL'" in result.output
