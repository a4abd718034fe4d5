"""Picks the mode for a parsed command line and runs it: REPL, piped batch, scripted,
serve, demo, bench, doctor or replay. Modes are imported only once chosen (they pull in the
heavy libraries)."""

import importlib

from siocli.environment import Environment
from siocli.errors import UsageError
from siocli.settings import (
    BenchSettings,
    ConnectSettings,
    DoctorSettings,
    ReplaySettings,
    ServeSettings,
)
from siocli.status import ExitStatus

INSECURE_WARNING = ("-k/--insecure: TLS certificates are not verified; anyone on the path "
                    "can read and change this connection")


def make_environment(options):
    output = "json" if options.get("json_output") else options.get("output", "auto")
    return Environment.from_process(output=output, no_color=options.get("no_color", False),
                                    record_path=options.get("record_path"))


def client_mode(settings, env):
    """The mode function of a client run: scripted (actions given, or only stdout piped),
    batch (commands piped on stdin, with -l/--count/--wait as their filter and end), or
    the REPL."""
    if not env.stdin_isatty and not settings.actions:
        from siocli.modes.batch import run_batch

        return run_batch
    if settings.scripted or (env.stdin_isatty and not env.stdout_isatty):
        from siocli.modes.scripted import run_scripted

        return run_scripted
    from siocli.modes.repl.app import run_repl

    return run_repl


def run_connect(options, action_order):
    env = make_environment(options)
    if stdout_closed(env):
        return ExitStatus.USAGE_ERROR
    try:
        settings = ConnectSettings.from_options(options, action_order, env.variables)
    except UsageError as exc:
        env.error(exc)
        return ExitStatus.USAGE_ERROR
    warn_if_insecure(env, settings)
    mode = client_mode(settings, env)
    return _run(env, lambda output, signals: mode(settings, env, output, signals))


def run_serve(options):
    env = make_environment(options)
    try:
        settings = ServeSettings.from_options(options)
    except UsageError as exc:
        env.error(exc)
        return ExitStatus.USAGE_ERROR
    from siocli.modes.serve import run_serve as mode

    return _run(env, lambda output, signals: mode(settings, env, output, signals))


def run_bench(options):
    return run_to_the_end(options, BenchSettings, "bench")


def run_replay(options):
    return run_to_the_end(options, ReplaySettings, "replay")


def run_doctor(options):
    return run_to_the_end(options, DoctorSettings, "doctor")


def run_to_the_end(options, settings_class, name):
    """A mode with no REPL that connects and runs to its end (bench, replay, doctor):
    its settings (``settings_class``, with a ``connection``), the -k warning, then
    ``siocli.modes.<name>.run_<name>``."""
    env = make_environment(options)
    if stdout_closed(env):
        return ExitStatus.USAGE_ERROR
    try:
        settings = settings_class.from_options(options, env.variables)
    except UsageError as exc:
        env.error(exc)
        return ExitStatus.USAGE_ERROR
    warn_if_insecure(env, settings.connection)
    mode = getattr(importlib.import_module("siocli.modes." + name), "run_" + name)
    return _run(env, lambda output, signals: mode(settings, env, output, signals))


def stdout_closed(env):
    """Whether stdout is closed (then said, once): a run would have nowhere to write."""
    if env.stdout is None:
        env.error("stdout is closed: nothing could be shown or written (give it a file, "
                  "or /dev/null)")
    return env.stdout is None


def warn_if_insecure(env, connection):
    if connection.insecure:
        env.warning(INSECURE_WARNING)


def run_demo():
    env = Environment.from_process()

    async def demo(output, signals):
        from siocli.modes.demo import demo_server

        async with demo_server(env, output) as settings:
            if settings is None:
                return ExitStatus.CONNECT_FAILED
            if not env.interactive and env.stdin_isatty:
                env.error("the demo's REPL needs a terminal (or pipe commands into it)")
                return ExitStatus.USAGE_ERROR
            return await client_mode(settings, env)(settings, env, output, signals)

    return _run(env, demo)


def _run(env, make_coroutine):
    from siocli.modes.runner import run_mode

    return run_mode(env, make_coroutine)
