"""client/auth_source.py's --auth-cmd process: cancelled at any moment (Ctrl-C, SIGTERM),
the run ends at once and the command's whole process group with it."""

import asyncio
import uuid

import pytest

from siocli.client.auth_source import run_auth_command
from siocli_run import processes_with


@pytest.mark.parametrize("turns", [0, 1, 2, 3, 5, 20])
def test_a_cancel_while_the_command_starts_ends_it_and_does_not_hang(turns):
    # cancelled while asyncio connects the process's pipes, asyncio 3.11 waits forever
    # for the process it kills (turns 1 and 2 here): run_auth_command lets the start finish
    marker = "siocli-test-%s" % uuid.uuid4().hex

    async def scenario():
        task = asyncio.ensure_future(run_auth_command("sleep 30; : %s" % marker, 20))
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    assert processes_with(marker) == []
