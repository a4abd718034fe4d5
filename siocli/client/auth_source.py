"""The auth payload of the next connection attempt: fixed fields, and the output of
--auth-cmd run before every attempt (the JS client's ``auth: (cb) => ...``)."""

import asyncio
import contextlib
import os
import signal

from siocli import validate
from siocli.errors import AuthError, UsageError

KILL_PATIENCE = 0.5  # seconds between asking the command's processes to stop and killing them


class AuthSource:
    def __init__(self, payload=None, command=None, timeout=10.0):
        self.payload = dict(payload) if payload else None
        self.command = command
        self.timeout = timeout

    def set_fields(self, fields):
        self.payload = dict(self.payload or {})
        self.payload.update(fields)

    def replace(self, payload):
        self.payload = dict(payload) if payload is not None else None

    def clear(self):
        self.payload = None
        self.command = None

    def copy(self):
        return AuthSource(self.payload, self.command, self.timeout)

    async def resolve(self, outputs=None):
        """The payload for the next connection attempt (runs the auth command).
        ``outputs``: {command: payload} of one attempt, so that namespaces sharing the
        command run it once."""
        if not self.command:
            return self.payload
        if outputs is not None and self.command in outputs:
            payload = outputs[self.command]
        else:
            payload = await self._run_command()
            if outputs is not None:
                outputs[self.command] = payload
        merged = dict(self.payload or {})
        merged.update(payload)
        return merged

    async def _run_command(self):
        out = await run_auth_command(self.command, self.timeout)
        try:
            payload = validate.json_text(out.decode("utf-8", "replace"), "--auth-cmd output")
            validate.auth_payload(payload, "--auth-cmd output")
        except UsageError as exc:
            raise AuthError(str(exc)) from None
        return payload


class NamespaceAuths:
    """Each namespace's AuthSource, as each JS Socket has its own ``auth``: a copy of the
    command line's to start with (`auth set` then changes one namespace's only)."""

    def __init__(self, command_line):
        self._command_line = command_line
        self._sources = {}

    def of(self, namespace):
        if namespace not in self._sources:
            self._sources[namespace] = self._command_line.copy()
        return self._sources[namespace]

    async def resolve(self, namespaces):
        """{namespace: payload} for one attempt (each --auth-cmd runs once); AuthError."""
        outputs = {}
        return {name: await self.of(name).resolve(outputs) for name in namespaces}


async def run_auth_command(command, timeout):
    """stdout of ``command`` run by the shell in a process group of its own, which is
    killed when it outlives ``timeout`` or the run is cancelled (Ctrl-C, SIGTERM)."""
    starting = asyncio.ensure_future(asyncio.create_subprocess_shell(
        command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, start_new_session=True))
    try:
        # cancelled while its pipes are being connected, asyncio (3.11) waits forever for
        # the process it kills: the start is let finish, then the group ended
        process = await asyncio.shield(starting)
    except asyncio.CancelledError:
        while not starting.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({starting})
        if not starting.cancelled() and starting.exception() is None:
            await end_process_group(starting.result())
        raise
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        await end_process_group(process)
        raise AuthError("--auth-cmd did not finish within %gs (--connect-timeout)"
                        % timeout) from None
    except asyncio.CancelledError:
        await end_process_group(process)
        raise
    if process.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise AuthError("--auth-cmd exited with status %s%s" % (
            process.returncode, ": " + lines[-1] if lines else " (nothing on its stderr)"))
    return out


async def end_process_group(process):
    """SIGTERM to the command's whole group, then SIGKILL if it lingers."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, signum)
        except (ProcessLookupError, PermissionError):
            return
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), KILL_PATIENCE)
            return
        except (TimeoutError, asyncio.CancelledError):
            continue
