"""Profiles: `[profiles.NAME]` in $XDG_CONFIG_HOME/siocli/config.toml, used with
`siocli connect -p NAME` against a real server, listed by `siocli profiles`, offered at
TAB after `-p`; a bad file is one line naming the file and line, exit 2."""

import textwrap

from siocli_run import first_of, heavy_imports, json_lines, of_type, run_siocli


def write_config(tmp_path, text, mode=0o600):
    path = tmp_path / "config" / "siocli" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    path.chmod(mode)
    return path


def whoami_sid(result):
    ack = first_of(json_lines(result.stdout), "ack")
    assert ack is not None, result.stdout + result.stderr
    return ack["args"][0]


def test_a_profile_gives_the_url_namespaces_and_the_token_from_its_variable(sio_server,
                                                                             tmp_path):
    write_config(tmp_path, """
        [profiles.local]
        url = "%s"
        namespace = ["/chat"]
        token-env = "LOCAL_TOKEN"
        transport = ["websocket"]
        """ % sio_server.url)
    result = run_siocli(tmp_path, "connect", "-p", "local", "-c", "whoami", "--json",
                        env={"LOCAL_TOKEN": "s3cret-from-env"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = json_lines(result.stdout)
    assert sorted(r["namespace"] for r in of_type(records, "connect")) == ["/", "/chat"]
    assert {r["transport"] for r in of_type(records, "connect")} == {"websocket"}
    seen = sio_server.wait_for("connection", id=whoami_sid(result), namespace="/")
    assert seen["auth"] == {"token": "s3cret-from-env"}


def test_the_command_line_wins_over_the_profile(sio_server, tmp_path):
    write_config(tmp_path, """
        [profiles.elsewhere]
        url = "http://127.0.0.1:9/nowhere"
        token-env = "LOCAL_TOKEN"
        connect-timeout = 0.5
        """)
    result = run_siocli(tmp_path, "connect", sio_server.url + "/chat", "-p", "elsewhere",
                        "--token", "from-the-line", "--connect-timeout", "5",
                        "-c", "whoami", "--json", env={"LOCAL_TOKEN": "from-the-profile"})
    assert result.returncode == 0, result.stderr
    assert first_of(json_lines(result.stdout), "connect")["namespace"] == "/chat"
    seen = sio_server.wait_for("connection", id=whoami_sid(result), namespace="/chat")
    assert seen["auth"] == {"token": "from-the-line"}


def test_a_profile_option_the_line_leaves_alone_is_used(tmp_path):
    """reconnect = false and a short connect-timeout from the profile: the run gives up
    on a closed port at once, with no reconnection."""
    write_config(tmp_path, """
        [profiles.closed]
        url = "http://127.0.0.1:9"
        reconnect = false
        connect-timeout = 0.5
        """)
    result = run_siocli(tmp_path, "connect", "-p", "closed", "-e", "x", "--json")
    assert result.returncode == 1, result.stderr
    records = json_lines(result.stdout)
    assert of_type(records, "connect_error")
    assert not of_type(records, "reconnect_attempt")


def test_profiles_lists_them_with_secrets_masked(tmp_path):
    write_config(tmp_path, """
        [profiles.staging]
        url = "https://user:hunter2@staging.example.com/chat?token=abcdef"
        header = ["X-Team: web", "Authorization: Bearer abcdefghijk"]
        auth = ["user=ann", "password=swordfish"]

        [profiles.local]
        url = "http://localhost:3000"
        token-env = "LOCAL_TOKEN"
        """)
    result = run_siocli(tmp_path, "profiles", env={"LOCAL_TOKEN": "x"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("/config/siocli/config.toml")
    assert lines[1].split() == ["local", "http://localhost:3000", "token-env=LOCAL_TOKEN",
                                "(set)"]
    assert lines[2].startswith("staging  https://user:****@staging.example.com/chat?token=****")
    assert '"X-Team: web"' in lines[2] and '"Authorization: Be********"' in lines[2]
    assert '"user=ann"' in lines[2] and '"password=sw*******"' in lines[2]
    for secret in ("hunter2", "abcdef", "abcdefghijk", "swordfish"):
        assert secret not in result.stdout + result.stderr


def test_a_literal_secret_in_a_file_others_can_read_is_warned_of_once(sio_server, tmp_path):
    path = write_config(tmp_path, """
        [profiles.local]
        url = "%s"
        token = "literal-token"
        """ % sio_server.url, mode=0o644)
    result = run_siocli(tmp_path, "connect", "-p", "local", "-c", "whoami", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "siocli: warning: %s holds a literal secret (profile local: token) and group or "
        "others can read it: chmod 600 it, or take the secret from token-env or auth-cmd\n"
        % path)
    assert "literal-token" not in result.stdout
    path.chmod(0o600)
    result = run_siocli(tmp_path, "connect", "-p", "local", "-c", "whoami", "--json")
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_a_file_without_secrets_may_be_read_by_anyone(tmp_path):
    write_config(tmp_path, """
        [profiles.local]
        url = "http://localhost:3000"
        token-env = "T"
        """, mode=0o644)
    result = run_siocli(tmp_path, "profiles")
    assert result.returncode == 0 and result.stderr == "", result.stderr


BAD_FILES = [
    ("[profiles.a]\nurl = \"http://x\"\nreconnect = nope\n", ":3: Invalid value"),
    ("[profiles.a]\nurl = \"http://x\"\n\nbogus = 1\n", ":4: profile 'a': unknown option 'bogus'"),
    ("[profiles.a]\nreconnect-attempts = \"3\"\n",
     ":2: profile 'a': reconnect-attempts must be a whole number"),
    ("[profiles.a]\ntransport = [\"tcp\"]\n",
     ":2: profile 'a': transport must be one of websocket, polling, got 'tcp'"),
    ("[profiles.a]\ntoken-env = \"SIOCLI_TEST_UNSET\"\n",
     ":2: profile 'a': token-env names SIOCLI_TEST_UNSET, which is not set"),
    ("[profiles.a]\ntoken = \"t\"\ntoken-env = \"T\"\n",
     ":3: profile 'a': give token or token-env, not both"),
    ("[servers]\n", ":1: unknown table or key 'servers'"),
    ("[profiles.b]\nurl = \"http://x\"\n", ": no profile 'a' (profiles: b)"),
]


def test_a_bad_config_is_one_line_naming_the_file_and_line(tmp_path):
    for text, expected in BAD_FILES:
        path = write_config(tmp_path, text)
        result = run_siocli(tmp_path, "connect", "-p", "a", "-e", "x")
        assert result.returncode == 2, (text, result.stderr)
        assert result.stderr == "siocli: error: %s%s" % (path, expected) + (
            result.stderr.split(expected, 1)[1]), (text, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stdout == "", (text, result.stderr)


def test_no_config_file_is_said_plainly(tmp_path):
    result = run_siocli(tmp_path, "profiles")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no config file: %s does not exist" % (
        tmp_path / "config" / "siocli" / "config.toml"))
    result = run_siocli(tmp_path, "connect", "-p", "a")
    assert result.returncode == 2
    assert result.stderr.startswith("siocli: error: ") and "no profile 'a'" in result.stderr


def test_completion_offers_profile_names_and_stays_light(tmp_path):
    write_config(tmp_path, """
        [profiles.staging]
        url = "http://a"
        [profiles.local]
        url = "http://b"
        [profiles.stage2]
        url = "http://c"
        """)
    result, heavy = heavy_imports(tmp_path, completing={
        "COMP_WORDS": "siocli connect -p st", "COMP_CWORD": "3",
        "_SIOCLI_COMPLETE": "bash_complete"})
    assert result.stdout.split() == ["plain,stage2", "plain,staging"], result.stdout
    assert heavy == [], result.stderr


def test_a_profile_from_the_environment_and_help_stays_light(sio_server, tmp_path):
    write_config(tmp_path, '[profiles.local]\nurl = "%s"\n' % sio_server.url)
    result = run_siocli(tmp_path, "connect", "-c", "whoami", "--json",
                        env={"SIOCLI_PROFILE": "local"})
    assert result.returncode == 0, result.stderr
    result, heavy = heavy_imports(tmp_path, ["connect", "-p", "local", "--help"])
    assert "--profile NAME" in result.stdout
    assert heavy == [], result.stderr
