"""Command-line entry point. Click parses; `siocli.dispatch` picks the mode.

Keep this module light: `siocli --help` and shell completion must not import
python-socketio, prompt_toolkit or rich.
"""

import os
import sys

import click

from siocli import __version__


class TextLines(click.ParamType):
    """A string option whose environment variable holds one value per line."""

    name = "text"
    envvar_list_splitter = "\n"

    def convert(self, value, param, ctx):
        return str(value)


TEXT_LINES = TextLines()
ACTION_OPTIONS = ("emit", "call", "expect")


class ConnectCommand(click.Command):
    """Keeps the command-line order of --emit, --call and --expect."""

    def parse_args(self, ctx, args):
        args = spelled_long(self.get_params(ctx), args)
        parser = self.make_parser(ctx)
        given, _, order = parser.parse_args(args=list(args))
        ctx.meta["siocli.action_order"] = [p.name for p in order if p.name in ACTION_OPTIONS]
        name = given.get("profile") or os.environ.get(env("profile"))
        if name and not ctx.resilient_parsing:
            ctx.default_map = profile_defaults(self, name)
        return super().parse_args(ctx, args)


def spelled_long(params, args):
    """``args`` with each known short option (``-e``) spelled long (``--emit``).

    click tries a short option as a long one first, and builds a NoSuchOption error with
    close-match suggestions before it falls back: a run given thousands of ``-e``/``-c``
    spent seconds there. Option values and everything after ``--`` are left as given."""
    long_spelling, takes_value = {}, set()
    for param in params:
        if not isinstance(param, click.Option):
            continue
        if not param.is_flag and not param.count:
            takes_value.update(param.opts)
        long_names = [name for name in param.opts if name.startswith("--")]
        for name in param.opts:
            if long_names and len(name) == 2 and name[0] == "-" and name[1] != "-":
                long_spelling[name] = long_names[0]
    spelled, value_due = [], False
    for position, arg in enumerate(args):
        if value_due:
            spelled.append(arg)
            value_due = False
            continue
        if arg == "--":
            spelled.extend(args[position:])
            break
        arg = long_spelling.get(arg, arg)
        spelled.append(arg)
        value_due = arg in takes_value
    return spelled


class ConfigError(click.ClickException):
    """The config file or the profile asked for cannot be used (exit 2, as a usage error)."""

    exit_code = 2


def profile_defaults(command, name):
    """The options of profile ``name`` as click's defaults: the command line and SIOCLI_*
    variables still win. Warns when the file holds a secret others may read."""
    from siocli import profiles

    try:
        config = profiles.load(os.environ)
        profile = config.profile(name)
        found = profiles.defaults(profile, command.params, os.environ, config.path)
    except profiles.ProfileError as exc:
        raise ConfigError(str(exc)) from None
    warn_if_exposed(config)
    return found


def warn_if_exposed(config):
    where = config.exposed()
    if where:
        click.echo("siocli: warning: %s holds a literal secret (%s) and group or others can "
                   "read it: chmod 600 it, or take the secret from token-env or auth-cmd"
                   % (config.path, where), err=True)


def complete_profile(ctx, param, incomplete):
    """Profile names for `-p` TAB: reads only the config file (tomllib)."""
    from siocli import profiles

    try:
        names = profiles.load(os.environ).profiles
    except profiles.ProfileError:
        return []
    return [name for name in sorted(names) if name.startswith(incomplete)]


def env(name):
    return "SIOCLI_" + name.upper().replace("-", "_")


def handshake_options(function):
    """The options of a connection's handshake, shared by `connect` and `bench`."""
    options = [
        click.option("--path", default="/socket.io", show_default=True, envvar=env("path"),
                     help="Engine.IO path."),
        click.option("-t", "--transport", "transports", multiple=True,
                     type=click.Choice(["websocket", "polling"]), envvar=env("transport"),
                     help="Allowed transport (repeatable). Default: polling, upgraded to "
                          "websocket."),
        click.option("-a", "--auth", "auth_pairs", multiple=True, type=TEXT_LINES,
                     metavar="KEY=VALUE", envvar=env("auth"),
                     help="One auth field; VALUE is JSON when it parses."),
        click.option("--auth-json", metavar="JSON|@FILE", envvar=env("auth_json"),
                     help="The whole auth payload."),
        click.option("--token", metavar="TOKEN", envvar=env("token"),
                     help="Short for --auth token=TOKEN."),
        click.option("--auth-cmd", metavar="CMD", envvar=env("auth_cmd"),
                     help="Shell command run before every attempt; its stdout (JSON object) "
                          "is the auth."),
        click.option("-H", "--header", "headers", multiple=True, type=TEXT_LINES,
                     metavar='"NAME: VALUE"', envvar=env("header"),
                     help="Extra handshake header (repeatable)."),
        click.option("-q", "--query", "query", multiple=True, type=TEXT_LINES,
                     metavar="KEY=VALUE", envvar=env("query"),
                     help="Extra query parameter (repeatable)."),
        click.option("-k", "--insecure", is_flag=True, envvar=env("insecure"),
                     help="Skip TLS certificate verification."),
        click.option("--cacert", metavar="FILE", envvar=env("cacert"),
                     help="Trust this CA bundle."),
        click.option("--proxy", metavar="URL", envvar=env("proxy"),
                     help="HTTP proxy, http://[USER:PASSWORD@]HOST:PORT (default: "
                          "HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the server)."),
        click.option("--parser", type=click.Choice(["default", "msgpack"]), default="default",
                     show_default=True, envvar=env("parser"),
                     help="The server's Socket.IO parser (msgpack: socket.io-msgpack-parser)."),
    ]
    for option in reversed(options):  # decorators apply inside out: keep the help's order
        function = option(function)
    return function


def output_options(function=None, *, record=True, output_help="auto: rich on a terminal, "
                   "plain when piped.", json_help="Same as --output json."):
    """-o/--output, --json, --record (unless ``record`` is False) and --no-color; as a
    bare decorator, or called with the help texts of a command that differs."""
    if function is None:
        return lambda decorated: output_options(decorated, record=record,
                                                output_help=output_help, json_help=json_help)
    function = click.option("--no-color", is_flag=True, envvar=env("no_color"),
                            help="No colours (NO_COLOR is honoured too).")(function)
    if record:
        function = click.option("--record", "record_path", metavar="FILE",
                                envvar=env("record"),
                                help="Append every record to FILE as JSON Lines.")(function)
    function = click.option("--json", "json_output", is_flag=True, envvar=env("json"),
                            help=json_help)(function)
    function = click.option("-o", "--output", type=click.Choice(["auto", "rich", "plain", "json"]),
                            default="auto", show_default=True, envvar=env("output"),
                            help=output_help)(function)
    return function


CONNECT_EPILOG = """\b
Examples:
  siocli connect http://localhost:3000                 # interactive REPL
  siocli connect http://localhost:3000/chat --token s3cret
  siocli connect localhost:3000 --call 'echo {"a": 1}' --json
  siocli connect localhost:3000 -e 'join room1' -x welcome --expect-timeout 5
  siocli connect localhost:3000 -l 'price.*' --count 10
  echo 'emit chat "hello world"' | siocli connect localhost:3000
  siocli connect -p staging -c 'echo 1'                # a saved profile

\b
Exit codes: 0 done, 1 could not connect, 2 usage or input error,
3 expectation not met, 4 connection lost, 130 interrupted.
"""


class SiocliGroup(click.Group):
    """click's group, but a usage error is one line on stderr (exit 2), as every other
    siocli error is, instead of click's usage block."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            sys.exit(130)
        except click.ClickException as exc:
            sys.stderr.write("siocli: error: %s\n" % one_line_error(exc))
            sys.exit(exc.exit_code)
        sys.exit(status or 0)


VERSIONED_LIBRARIES = ("python-socketio", "python-engineio", "aiohttp")


def show_version(ctx, value):
    """`siocli --version`: siocli's version, then those of the libraries that speak to
    the server, read from their installed metadata (importing them would be slow)."""
    if not value or ctx.resilient_parsing:
        return
    import importlib.metadata

    lines = ["siocli %s" % __version__]
    for name in VERSIONED_LIBRARIES:
        try:
            lines.append("%s %s" % (name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            lines.append("%s not installed" % name)
    lines.append("Python %d.%d.%d" % sys.version_info[:3])
    click.echo("\n".join(lines))
    ctx.exit()


def one_line_error(exc):
    message = " ".join(exc.format_message().split())
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        message += " (see `%s --help`)" % context.command_path
    return message


@click.group(cls=SiocliGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, param, value: show_version(ctx, value),
              help="Show the versions of siocli, the libraries it speaks through, and Python.")
def main():
    """A command-line client and debugger for Socket.IO servers.

    \b
    Try it with no server of your own:  siocli demo
    """


@main.command(cls=ConnectCommand, epilog=CONNECT_EPILOG)
@click.argument("url", envvar=env("url"))
@click.option("-p", "--profile", metavar="NAME", envvar=env("profile"),
              shell_complete=complete_profile,
              help="Options from [profiles.NAME] in $XDG_CONFIG_HOME/siocli/config.toml "
                   "(the command line wins; URL may then be left out). See `siocli profiles`.")
@click.option("-n", "--namespace", "namespaces", multiple=True, type=TEXT_LINES, metavar="NS",
              envvar=env("namespace"), help="Connect this namespace too (repeatable).")
@handshake_options
@click.option("--reconnect/--no-reconnect", default=True, show_default=True,
              envvar=env("reconnect"), help="Reconnect automatically after a lost connection.")
@click.option("--reconnect-attempts", type=int, default=0, envvar=env("reconnect_attempts"),
              help="Give up after N attempts (default: unlimited).")
@click.option("--reconnect-delay", type=float, default=1.0, show_default=True,
              envvar=env("reconnect_delay"), help="First delay between attempts, seconds.")
@click.option("--reconnect-delay-max", type=float, default=5.0, show_default=True,
              envvar=env("reconnect_delay_max"), help="Longest delay between attempts, seconds.")
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              envvar=env("connect_timeout"), help="Seconds to wait for a connection.")
@click.option("-e", "--emit", "emit", multiple=True, type=TEXT_LINES, metavar='"EVENT [ARG...]"',
              envvar=env("emit"), help="Emit an event (repeatable, in order).")
@click.option("-c", "--call", "call", multiple=True, type=TEXT_LINES, metavar='"EVENT [ARG...]"',
              envvar=env("call"), help="Emit and wait for the acknowledgement (repeatable).")
@click.option("--ack-timeout", type=float, default=5.0, show_default=True,
              envvar=env("ack_timeout"), help="Seconds a --call waits for its ack.")
@click.option("--retries", type=int, default=0, metavar="N", envvar=env("retries"),
              help="Send a --call again when its ack times out, up to N times, one call at "
                   "a time (JS `retries`: at-least-once); ack_timeout only when every try "
                   "failed.")
@click.option("--ack-reply", "ack_reply", multiple=True, type=TEXT_LINES,
              metavar='"[EVENT=]ARGS"', envvar=env("ack_reply"),
              help="Answer the server's ack requests (for EVENT, or any) with ARGS "
                   "(repeatable). Without it none is answered, as a JS listener that never "
                   "calls back.")
@click.option("-x", "--expect", "expect", multiple=True, type=TEXT_LINES, metavar="EVENT",
              envvar=env("expect"), help="Wait until EVENT arrives (repeatable, in order).")
@click.option("--expect-timeout", type=float, default=10.0, show_default=True,
              envvar=env("expect_timeout"), help="Seconds an --expect waits.")
@click.option("-l", "--listen", "listen", multiple=True, type=TEXT_LINES, metavar="PATTERN",
              envvar=env("listen"), help="Show only incoming events matching this glob.")
@click.option("--count", type=int, envvar=env("count"),
              help="Stop after N incoming events have been shown.")
@click.option("--wait", type=float, envvar=env("wait"),
              help="Keep listening S seconds after the last action.")
@click.option("--trace", is_flag=True, envvar=env("trace"),
              help="Also show Engine.IO / Socket.IO packets and the handshake.")
@click.option("--keep-going", is_flag=True, envvar=env("keep_going"),
              help="Piped stdin: go on after a failing command.")
@output_options
@click.pass_context
def connect(ctx, **options):
    """Connect to a Socket.IO server at URL.

    On a terminal this opens a REPL (type `help`). With --emit/--call/--expect it runs
    those in order and exits (--listen shows only what arrives meanwhile: add --wait S
    or --count N to keep listening). With commands piped on stdin it runs them one per
    line; --listen filters what they show, --count/--wait keep listening after them.
    With only --listen/--count it listens until the count, or Ctrl-C.
    """
    from siocli.dispatch import run_connect

    ctx.exit(run_connect(options, ctx.meta.get("siocli.action_order", [])))


@main.command(epilog="""\b
Examples:
  siocli serve                                  # on 127.0.0.1:5000
  siocli serve --port 0                         # on a free port (printed first)
  siocli serve --port 3000 -n /chat --token s3cret --json
  siocli serve --host 0.0.0.0 --cors http://localhost:8080

\b
On a terminal, type at the serve> prompt:
  clients                        the connected clients (id, namespace, transport, auth)
  emit [--to ID] EVENT [ARG...]  emit to one client, else to every client
  kick ID                        disconnect a client (it sees `io server disconnect`)
  status / help / quit           Ctrl-C on an empty line stops too
Every event that asks for an acknowledgement is acked with its own arguments.
""")
@click.option("--host", default="127.0.0.1", show_default=True, envvar=env("host"))
@click.option("--port", type=int, default=5000, show_default=True, envvar=env("port"))
@click.option("--path", default="/socket.io", show_default=True, envvar=env("path"))
@click.option("-n", "--namespace", "namespaces", multiple=True, type=TEXT_LINES, metavar="NS",
              envvar=env("namespace"), help="Serve this namespace too (repeatable).")
@click.option("--token", metavar="TOKEN", envvar=env("token"),
              help="Reject connections whose auth.token differs.")
@click.option("--cors", "cors", multiple=True, type=TEXT_LINES, metavar="ORIGIN",
              envvar=env("cors"), help="Allowed CORS origin (repeatable; default: any).")
@click.option("--ping-interval", type=float, default=25.0, show_default=True,
              envvar=env("ping_interval"), help="Seconds between server PINGs.")
@click.option("--ping-timeout", type=float, default=20.0, show_default=True,
              envvar=env("ping_timeout"), help="Seconds to wait for a PONG.")
@output_options
def serve(**options):
    """Run an embedded Socket.IO server that shows everything its clients do."""
    from siocli.dispatch import run_serve

    raise SystemExit(run_serve(options))


BENCH_EPILOG = """\b
Examples:
  siocli bench http://localhost:3000 --call 'echo {"a": 1}' -n 10000 -c 64
  siocli bench localhost:3000/chat --emit 'chat hi' --duration 10 --token s3cret
  siocli bench localhost:3000 --call echo -n 5000 --json > bench.json

\b
With --call each call waits for its ack (-c of them in flight, acks matched
by id); with --emit each emit counts once handed to the connection.
Exit codes: 0 done, 1 could not connect, 2 usage error, 3 some calls got no
ack within --ack-timeout, 4 connection lost, 130 interrupted (summary shown).
"""


@main.command(epilog=BENCH_EPILOG)
@click.argument("url", envvar=env("url"))
@click.option("-e", "--emit", metavar='"EVENT [ARG...]"', envvar=env("emit"),
              help="Emit this event, again and again.")
@click.option("--call", metavar='"EVENT [ARG...]"', envvar=env("call"),
              help="Call this event (emit with an ack) and time each acknowledgement.")
@click.option("-n", "--number", type=int, metavar="N", envvar=env("number"),
              help="How many emits or calls (default 1000).")
@click.option("--duration", type=float, metavar="S", envvar=env("duration"),
              help="Send for S seconds instead of -n.")
@click.option("-c", "--concurrency", type=int, default=1, show_default=True, metavar="N",
              envvar=env("concurrency"), help="Emits or calls in flight at once.")
@click.option("--ack-timeout", type=float, default=5.0, show_default=True,
              envvar=env("ack_timeout"), help="Seconds a call waits for its ack.")
@handshake_options
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              envvar=env("connect_timeout"), help="Seconds to wait for a connection.")
@output_options(record=False, json_help="One summary record (a `bench` record) on stdout.",
                output_help="auto: rich on a terminal (progress, histogram), plain when piped.")
def bench(**options):
    """Load a Socket.IO server at URL with emits or calls; show throughput and latency.

    A progress bar while it runs (on a terminal), then the throughput, the latency
    percentiles (p50, p90, p99, max) and a latency histogram.
    """
    from siocli.dispatch import run_bench

    raise SystemExit(run_bench(options))


DOCTOR_EPILOG = """\b
Examples:
  siocli doctor http://localhost:3000
  siocli doctor https://example.com/chat --token s3cret --origin https://app.example.com
  siocli doctor http://localhost:3000 --path /ws --json
  siocli doctor https://example.com --proxy http://user:pw@proxy:3128

\b
Steps: DNS, proxy (with --proxy or HTTP(S)_PROXY), TCP, TLS, HTTP, Engine.IO
version, handshake, polling, websocket, namespace, sticky sessions, CORS (with
--origin), ping. Each one passes, fails (with the fix) or is skipped (it does not
apply, or an earlier step failed). Behind a proxy every step goes through it.
Exit codes: 0 no step failed, 1 a step failed, 2 usage error, 130 interrupted.
"""


@main.command(epilog=DOCTOR_EPILOG)
@click.argument("url", envvar=env("url"))
@handshake_options
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              envvar=env("connect_timeout"), help="Seconds each step may wait.")
@click.option("--origin", metavar="ORIGIN", envvar=env("origin"),
              help="Check CORS for a web page at this origin (https://app.example.com).")
@output_options(record=False, json_help="One `doctor` record per step.")
def doctor(**options):
    """Probe a Socket.IO server at URL step by step; say what is wrong and how to fix it.

    The URL's path is the namespace, as for `connect`, and the connection options are
    `connect`'s. One row per step: pass, fail or skipped, the value measured, and on a
    failure the fix.
    """
    from siocli.dispatch import run_doctor

    raise SystemExit(run_doctor(options))


REPLAY_EPILOG = """\b
Examples:
  siocli connect http://localhost:3000 --record session.jsonl   # record a session
  siocli replay session.jsonl http://localhost:4000             # send it again
  siocli replay session.jsonl http://localhost:4000 --speed 0 --json
  siocli replay session.jsonl https://staging.example.com --speed 2 --token s3cret

\b
Each emit goes to the namespace it was recorded on, after its original pause
divided by --speed; an emit recorded as a call (followed by its ack or
ack_timeout) is sent as a call and waits for its ack.
Exit codes: 0 done, 1 could not connect, 2 usage error or a bad recording,
3 a call got no ack within --ack-timeout, 4 connection lost, 130 interrupted.
"""


@main.command(epilog=REPLAY_EPILOG)
@click.argument("file", metavar="FILE")
@click.argument("url", envvar=env("url"))
@click.option("--speed", type=float, default=1.0, show_default=True, metavar="X",
              envvar=env("speed"), help="Divide the recorded pauses by X (0: no pauses).")
@handshake_options
@click.option("--reconnect/--no-reconnect", default=True, show_default=True,
              envvar=env("reconnect"), help="Reconnect automatically after a lost connection.")
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              envvar=env("connect_timeout"), help="Seconds to wait for a connection.")
@click.option("--ack-timeout", type=float, default=5.0, show_default=True,
              envvar=env("ack_timeout"), help="Seconds a call waits for its ack.")
@click.option("--retries", type=int, default=0, metavar="N", envvar=env("retries"),
              help="Send a call again when its ack times out, up to N times, one call at "
                   "a time (JS `retries`: at-least-once); ack_timeout only when every try "
                   "failed.")
@click.option("--trace", is_flag=True, envvar=env("trace"),
              help="Also show Engine.IO / Socket.IO packets and the handshake.")
@output_options
def replay(**options):
    """Send the emits and calls of a recording (a --record file) to the server at URL."""
    from siocli.dispatch import run_replay

    raise SystemExit(run_replay(options))


@main.command(epilog="""\b
Examples:
  siocli demo                                   # a REPL connected to a demo server
  echo 'call echo {"a": 1}' | siocli demo       # piped: runs the commands, then exits
""")
def demo():
    """Start a demo server on a free port and open a REPL connected to it.

    The server sends `tick` every 3 s on /, acknowledges every event with its own
    arguments, and /private needs auth.token "letmein". A short tour is printed.
    """
    from siocli.dispatch import run_demo

    raise SystemExit(run_demo())


@main.command("profiles")
def list_profiles():
    """List the saved connections (profiles) of $XDG_CONFIG_HOME/siocli/config.toml.

    \b
    Secrets are masked; a token-env says whether its variable is set. A profile holds
    `siocli connect` options by their long names:
      [profiles.staging]
      url = "https://staging.example.com/chat"
      namespace = ["/admin"]
      header = ["X-Team: web"]
      token-env = "STAGING_TOKEN"      # the token, from this environment variable
      reconnect = false
    then:  siocli connect -p staging
    """
    from siocli import profiles

    try:
        config = profiles.load(os.environ)
    except profiles.ProfileError as exc:
        raise ConfigError(str(exc)) from None
    if not config.exists:
        click.echo("no config file: %s does not exist (see `siocli profiles --help`)"
                   % config.path)
        return
    warn_if_exposed(config)
    click.echo(str(config.path))
    for line in profiles.listing(config, os.environ):
        click.echo(line)


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx, shell):
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(siocli completion bash)"       (in ~/.bashrc)
    zsh:   eval "$(siocli completion zsh)"        (in ~/.zshrc)
    fish:  siocli completion fish > ~/.config/fish/completions/siocli.fish
    """
    from siocli.completion import completion_script

    click.echo(completion_script(ctx.find_root().command, shell), nl=False)
