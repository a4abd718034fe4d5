"""Picks the mode for a parsed command line and runs it: REPL, piped batch, scripted, serve."""

import asyncio
import signal
import sys

from siocli import settings as settings_module
from siocli.environment import Environment
from siocli.settings import ConnectSettings, UsageError
from siocli.status import ExitStatus


def fail_usage(env, message):
    (env.stderr or sys.stderr).write("siocli: error: %s\n" % message)
    return ExitStatus.USAGE_ERROR


def build_settings(options, action_order):
    query = [settings_module.key_value(pair, "--query") for pair in options["query"]]
    url, namespace = settings_module.split_url(options["url"], query)
    namespaces = [namespace]
    for name in options["namespaces"]:
        name = settings_module.normalise_namespace(name)
        if name not in namespaces:
            namespaces.append(name)
    pending = {kind: list(options[kind]) for kind in settings_module.ACTION_KINDS}
    order = action_order or [kind for kind in settings_module.ACTION_KINDS for _ in pending[kind]]
    actions = []
    for kind in order:
        text = pending[kind].pop(0)
        if kind == "expect":
            actions.append(settings_module.Action("expect", text.strip()))
        else:
            actions.append(settings_module.parse_action(kind, text))
    positive = settings_module.positive
    return ConnectSettings(
        url=url,
        namespaces=namespaces,
        path="/" + options["path"].strip("/"),
        transports=list(options["transports"]) or None,
        auth=settings_module.build_auth(options["auth_pairs"], options["auth_json"],
                                        options["token"]),
        auth_cmd=options["auth_cmd"],
        headers=settings_module.parse_headers(options["headers"]),
        insecure=options["insecure"],
        cacert=options["cacert"],
        reconnect=options["reconnect"],
        reconnect_attempts=positive(options["reconnect_attempts"], "--reconnect-attempts"),
        reconnect_delay=positive(options["reconnect_delay"], "--reconnect-delay"),
        reconnect_delay_max=positive(options["reconnect_delay_max"], "--reconnect-delay-max"),
        connect_timeout=positive(options["connect_timeout"], "--connect-timeout", allow_zero=False),
        ack_timeout=positive(options["ack_timeout"], "--ack-timeout", allow_zero=False),
        expect_timeout=positive(options["expect_timeout"], "--expect-timeout", allow_zero=False),
        actions=actions,
        listen=list(options["listen"]),
        count=positive(options["count"], "--count", allow_zero=False),
        wait=positive(options["wait"], "--wait"),
        trace=options["trace"],
        display_url=options["url"],
    )


def make_environment(options):
    output = "json" if options.get("json_output") else options.get("output", "auto")
    return Environment.from_process(output=output, no_color=options.get("no_color", False),
                                    record_path=options.get("record_path"))


def run_connect(options, action_order):
    env = make_environment(options)
    try:
        settings = build_settings(options, action_order)
        if settings.cacert:
            open(settings.cacert).close()
    except UsageError as exc:
        return fail_usage(env, exc)
    except OSError as exc:
        return fail_usage(env, "--cacert: cannot read %s: %s" % (exc.filename, exc.strerror))
    scripted = bool(settings.actions or settings.listen or settings.count or settings.wait is not None)
    if scripted or (env.stdin_isatty and not env.stdout_isatty):
        from siocli.scripted import run_scripted as mode
    elif not env.stdin_isatty:
        from siocli.batch import run_batch as mode
        settings.keep_going = options.get("keep_going", False)
    else:
        from siocli.repl.app import run_repl as mode
    return run_async(env, lambda output: mode(settings, env, output))


def run_async(env, make_coroutine):
    """Run a mode with the output layer open; Ctrl-C ends it with exit code 130."""
    from siocli.output import Output

    try:
        output = Output(env)
    except OSError as exc:
        return fail_usage(env, "--record: cannot open %s: %s" % (exc.filename, exc.strerror))
    try:
        return asyncio.run(_with_interrupt(make_coroutine(output)))
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    finally:
        output.close()


async def _with_interrupt(coroutine):
    """Turn SIGINT and SIGTERM into cancelling the mode's task, which then closes cleanly."""
    task = asyncio.ensure_future(coroutine)
    loop = asyncio.get_running_loop()
    interrupted = []

    def on_sigint():
        interrupted.append(True)
        task.cancel()

    for signal_number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signal_number, on_sigint)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    try:
        return await task
    except asyncio.CancelledError:
        if interrupted:
            return ExitStatus.INTERRUPTED
        raise
    finally:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(signal_number)
            except (NotImplementedError, RuntimeError, ValueError):
                pass


def run_serve(options):
    env = make_environment(options)
    from siocli.serve import run_serve as mode

    return run_async(env, lambda output: mode(options, env, output))


def run_demo():
    env = Environment.from_process()
    from siocli.demo import run_demo as mode

    return run_async(env, lambda output: mode(env, output))
