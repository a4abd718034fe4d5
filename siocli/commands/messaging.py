"""Commands that talk to the server: emit, call, and which incoming events are shown."""

import fnmatch
import re

from siocli import grammar
from siocli.commands.context import Reply, notice
from siocli.commands.registry import Registry, words_of
from siocli.errors import CommandError
from siocli.status import ExitStatus

COMMANDS = Registry()


@COMMANDS.command("emit", "EVENT [ARG...]",
                  "send an event to the server (queued while disconnected)",
                  details="Arguments: JSON values, words (JSON when they parse, else strings), "
                 "{...}/[...] spanning spaces, b64:DATA, hex:DATA, @FILE.\n"
                 'Example: emit chat "hello world" {"room": 1}')
async def emit_command(context, rest):
    parsed = grammar.parse_emit(rest)
    outcome = await context.session.emit(context.namespace, parsed.event, parsed.args)
    if outcome == "queued":
        waiting = len(context.session.outbox)
        return notice("queued %s on %s: not connected; it is sent on (re)connection "
                      "(%d in queue)" % (grammar.quote_word(parsed.event), context.namespace,
                                         waiting),
                      style="yellow")
    return None


def split_timeout(rest, default):
    first, remainder = grammar.split_command(rest)
    if first == "--timeout" or first.startswith("--timeout="):
        if first == "--timeout":
            value, remainder = grammar.split_command(remainder)
        else:
            value = first.partition("=")[2]
        try:
            timeout = float(value)
        except ValueError:
            raise CommandError("call: --timeout expects seconds, got %r" % value) from None
        if timeout <= 0:
            raise CommandError("call: --timeout must be more than 0")
        return timeout, remainder
    return default, rest


@COMMANDS.command("call", "[--timeout S] EVENT [ARG...]",
         "emit and wait for the acknowledgement; prints its args and round-trip time",
         details="Ctrl-C while waiting cancels the call. Default timeout: --ack-timeout.",
         words=("--timeout",))
async def call_command(context, rest):
    timeout, rest = split_timeout(rest, context.settings.ack_timeout)
    parsed = grammar.parse_emit(rest)
    if not context.session.namespaces.get(context.namespace) or \
            not context.session.namespaces[context.namespace].connected:
        context.output.notice("queued %s on %s until connected; waiting up to %ss for the ack"
                              % (grammar.quote_word(parsed.event), context.namespace, timeout),
                              "yellow")
    record = await context.session.call(context.namespace, parsed.event, parsed.args, timeout)
    if record["type"] == "ack_timeout":
        return Reply(status=ExitStatus.EXPECTATION_FAILED)
    if record["type"] == "error":
        return Reply(status=ExitStatus.CONNECTION_LOST)
    return None


ACK_ID = re.compile(r"[ \t]*([0-9]+)(?=[ \t\r\n]|$)")


@COMMANDS.command("reply", "[ACK] [ARG...]",
                  "answer the server's ack request (the most recent one when ACK is left out)",
                  details="An event the server sent with an ack callback ends `[awaits reply, "
                          "ack N]`; nothing is sent until you answer (as a JS listener that "
                          "has not called back yet), unless --ack-reply answers it.\n"
                          "reply                   the most recent request, no arguments\n"
                          'reply 3 ok {"n": 1}     request 3 (of the active namespace)\n'
                          "A first word that is a whole number is the ACK: to answer the most "
                          "recent request with a number, give its ACK first.\n"
                          "Arguments: as for emit. `status` lists the pending requests.\n"
                          "Piped on stdin, `reply` first waits for the request to arrive (up "
                          "to --expect-timeout).")
async def reply_command(context, rest):
    session, namespace = context.session, context.namespace
    match = ACK_ID.match(rest)
    ack = int(match.group(1)) if match else None
    if match:
        rest = rest[match.end():]
    if not context.interactive:
        await request_arrival(context, ack)
    if ack is None:
        latest = session.ack_requests.latest(namespace)
        if latest is None:
            raise CommandError("reply: no pending ack request on %s%s%s" % (
                namespace, "" if context.interactive else " within %ss (--expect-timeout)"
                % context.settings.expect_timeout, elsewhere(session, namespace)),
                ExitStatus.EXPECTATION_FAILED)
        ack = latest.ack
    args = grammar.parse_args(rest)
    try:
        await session.reply(namespace, ack, args)
    except LookupError:
        pending = [str(r.ack) for r in session.ack_requests.pending(namespace)]
        raise CommandError("reply: no pending ack request %s on %s (%s)" % (
            ack, namespace, "pending: " + ", ".join(pending) if pending else
            "none pending: answered already, never asked, or dropped when the namespace "
            "disconnected") + elsewhere(session, namespace),
            ExitStatus.EXPECTATION_FAILED) from None
    return None


async def request_arrival(context, ack):
    """Piped stdin cannot see a request coming: wait for it (up to --expect-timeout)."""
    requests = context.session.ack_requests
    namespace = context.namespace
    if any(ack is None or r.ack == ack for r in requests.pending(namespace)):
        return

    def arrives(record):
        return (record["type"] == "event" and record["namespace"] == namespace
                and record.get("ack") is not None and (ack is None or record["ack"] == ack))
    await context.wait_for_record(arrives, context.settings.expect_timeout)


def elsewhere(session, namespace):
    others = sorted({r.namespace for r in session.ack_requests.pending()} - {namespace})
    if not others:
        return ""
    return "; %s %s pending ones: `ns %s` switches" % (
        ", ".join(others), "has" if len(others) == 1 else "have", others[0])


@COMMANDS.command("listen", "[PATTERN...]",
                  "show only incoming events matching these globs (added to the others)",
                  details="listen tick 'price.*'   show these (and what earlier `listen`s "
                          "named)\nlisten                  show every incoming event again "
                          "(clears listens and mutes)")
async def listen_command(context, rest):
    patterns = words_of(rest)
    event_filter = context.filter
    if not patterns:
        event_filter.listen, event_filter.mute = [], []
        return notice(event_filter.describe())
    event_filter.listen.extend(p for p in patterns if p not in event_filter.listen)
    return notice(event_filter.describe(), *muted_notes(context, patterns))


def muted_notes(context, patterns):
    """Events a `listen` asks for that a `mute` still hides: say so, with the way out."""
    notes = []
    for pattern in patterns:
        for mute in context.filter.mute:
            seen = [name for name in sorted(context.session.event_names)
                    if fnmatch.fnmatchcase(name, pattern) and fnmatch.fnmatchcase(name, mute)]
            if seen or fnmatch.fnmatchcase(pattern, mute):
                hidden = ", ".join(seen[:3]) or pattern
                notes.append("note: %s still muted by `mute %s`; `unmute %s` shows it"
                             % (hidden, mute, mute))
    return notes


@COMMANDS.command("mute", "PATTERN...", "hide incoming events matching these globs")
async def mute_command(context, rest):
    patterns = words_of(rest)
    if not patterns:
        raise CommandError("mute: give at least one PATTERN (e.g. mute 'tick*')")
    context.filter.mute.extend(p for p in patterns if p not in context.filter.mute)
    return notice(context.filter.describe())


@COMMANDS.command("unmute", "[PATTERN...]", "show again what `mute PATTERN` hid (all: no PATTERN)")
async def unmute_command(context, rest):
    patterns = words_of(rest)
    event_filter = context.filter
    unknown = [p for p in patterns if p not in event_filter.mute]
    if unknown:
        raise CommandError("unmute: %s %s not muted (muted: %s)" % (
            ", ".join(unknown), "is" if len(unknown) == 1 else "are",
            ", ".join(event_filter.mute) or "none"))
    event_filter.mute = [p for p in event_filter.mute if patterns and p not in patterns]
    return notice(event_filter.describe())
