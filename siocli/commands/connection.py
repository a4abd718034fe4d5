"""Commands about the connection: namespaces, connect, disconnect, reconnect, auth."""

import asyncio

from siocli import auth as auth_module
from siocli import grammar, records, validate
from siocli.commands.context import Reply, notice
from siocli.commands.registry import Registry, words_of
from siocli.errors import CommandError, UsageError
from siocli.settings import json_or_string, key_value, normalise_namespace
from siocli.status import ExitStatus

COMMANDS = Registry()


@COMMANDS.command("ns", "[NAME]", "show or switch the active namespace (connecting it if needed)",
         aliases=("namespace",))
async def ns_command(context, rest):
    words = words_of(rest)
    session = context.session
    if not words:
        listed = ", ".join("%s (%s)" % (name, "connected" if state.connected else "not connected")
                           for name, state in session.namespaces.items())
        return notice("active namespace: %s; namespaces: %s" % (context.namespace, listed),
                      style="")
    if len(words) > 1:
        raise CommandError("ns: one namespace at a time")
    name = normalise_namespace(words[0])
    context.namespace = name
    state = session.namespaces.get(name)
    if state is not None and state.connected:
        return notice("active namespace: %s (id %s)" % (name, state.sid), style="")
    context.output.notice("active namespace: %s; connecting it..." % name)
    waiting = asyncio.ensure_future(context.wait_namespace_outcome(name))
    await session.connect_namespace(name)
    outcome = await waiting
    return outcome_reply(outcome)


def outcome_reply(outcome):
    if outcome is None:
        return Reply(lines=("no answer yet; the toolbar and `status` show the state",),
                     status=ExitStatus.CONNECT_FAILED)
    if outcome["type"] != "connect":
        return Reply(status=ExitStatus.CONNECT_FAILED)
    return None


@COMMANDS.command("connect", "", "connect (again) now, with the current auth",
         details="After a connect_error from a server middleware, fix the auth "
                 "(`auth set token=...`) and `connect` again.")
async def connect_command(context, rest):
    session = context.session
    session.activate(context.namespace)
    wanted = session.active_namespaces()
    missing = [name for name in wanted if not session.namespaces[name].connected]
    if not missing:
        return notice("already connected (%s); `reconnect` starts a new connection"
                      % ", ".join(wanted))
    if session.connected:
        status = ExitStatus.SUCCESS
        for name in missing:
            waiting = asyncio.ensure_future(context.wait_namespace_outcome(name))
            await session.connect_namespace(name)
            reply = outcome_reply(await waiting)
            status = reply.status if reply else status
        return Reply(status=status)
    return await start_connection(context, missing)


async def start_connection(context, namespaces):
    session = context.session
    if not context.interactive:
        connected = await session.connect(give_up_after=context.settings.connect_timeout)
        return None if connected else Reply(status=ExitStatus.CONNECT_FAILED)
    waiting = asyncio.ensure_future(context.wait_namespace_outcome(namespaces[0]))
    session.start()
    return outcome_reply(await waiting)


@COMMANDS.command("disconnect", "[--all]",
                  "disconnect the active namespace (io client disconnect), or all; "
                  "no automatic reconnection",
                  details="As JS socket.disconnect(): the active namespace only (`ns` "
                          "switches); the others stay connected. The connection itself is "
                          "closed once no namespace is left.\n"
                          "disconnect --all          every namespace, and the connection",
                  words=("--all",))
async def disconnect_command(context, rest):
    session = context.session
    words = words_of(rest)
    if words not in ([], ["--all"]):
        raise CommandError("disconnect: only --all may follow, got %r" % " ".join(words))
    trying = session.state in ("connecting", "reconnecting")
    if words:
        if not session.connected and not trying:
            return notice("not connected; `connect` connects")
        for state in session.namespaces.values():
            state.active = False  # as socket.disconnect() on each of them
        await session.disconnect()
        return None
    state = session.namespaces.get(context.namespace)
    if state is None or not (state.connected or (state.active and trying)):
        return notice("%s is not connected; `connect` connects it" % context.namespace)
    await session.disconnect_namespace(context.namespace)
    return None


@COMMANDS.command("reconnect", "", "disconnect, then connect again (a new socket.id)")
async def reconnect_command(context, rest):
    wanted = context.session.active_namespaces()
    if context.session.connected:
        # said first: the disconnect row that follows says no *automatic* reconnection
        context.output.notice("reconnect: disconnecting, then connecting again (current auth)")
    await context.session.disconnect()
    for name in wanted:
        context.session.activate(name)
    return await start_connection(context, wanted)



@COMMANDS.command("auth", "[--show | set KEY=VALUE... | json JSON | clear]",
                  "show the active namespace's auth, or change it for its next connection",
                  details="Each namespace has its own auth, as each JS Socket (`ns` switches; "
                          "a namespace starts with the command line's).\n"
                          "auth                    the payload; values of secret-looking keys "
                          "(token, password, ...) masked\n"
                          "auth --show             the payload unmasked\n"
                          "auth set token=abc      one field; VALUE is JSON when it parses\n"
                          'auth json {"token": "abc"}  the whole payload\n'
                          "auth clear              no auth\n"
                          "Then `connect` (or `reconnect`) to use it. Never saved in the history.",
                  words=("--show", "set", "json", "clear"))
async def auth_command(context, rest):
    source = context.session.auth_of(context.namespace)
    action, remainder = grammar.split_command(rest)
    show = auth_module.masked
    if action == "--show":
        action, show = "", (lambda payload: payload)
        if remainder.strip():
            raise CommandError("auth --show takes nothing more")
    if action == "set":
        pairs = words_of(remainder)
        if not pairs:
            raise CommandError("auth set: give KEY=VALUE (e.g. auth set token=abc)")
        try:
            fields = dict(key_value(pair, "auth set") for pair in pairs)
        except UsageError as exc:
            raise CommandError(str(exc)) from None
        fields = {key: json_or_string(value) for key, value in fields.items()}
        checked(fields, "auth set")
        source.set_fields(fields)
    elif action == "json":
        if not remainder.strip():
            raise CommandError('auth json: give a JSON object, e.g. auth json {"token": "abc"}')
        try:
            payload = validate.json_text(remainder, "auth json")
        except UsageError as exc:
            raise CommandError(str(exc)) from None
        source.replace(checked(payload, "auth json"))
    elif action == "clear":
        source.clear()
    elif action:
        raise CommandError("auth: unknown action %r; use set, json or clear" % action)
    shown = "auth of %s: %s" % (context.namespace, records.json_value(show(source.payload)))
    if source.command:
        shown += " + output of --auth-cmd %r" % source.command
    if action:
        shown += " (used at the next connection attempt: `connect` or `reconnect`)"
    return notice(shown, style="")


def checked(payload, what):
    """``payload`` if it is fit to send as auth (a JSON object of finite numbers, valid
    text, not too deep), else a CommandError naming the key, never the value."""
    try:
        return validate.auth_payload(payload, what)
    except UsageError as exc:
        raise CommandError(str(exc)) from None
