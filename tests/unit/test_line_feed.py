"""modes/batch.py's LineFeed: every line a thread reads reaches the event loop, in order,
then END_OF_INPUT, whether the loop is waiting for it or busy."""

import asyncio
import threading
import time

from siocli.modes.batch import END_OF_INPUT, LineFeed


def read_all(feed):
    async def lines():
        got = []
        while (line := await feed.get()) is not END_OF_INPUT:
            got.append(line)
        return got
    return lines()


def test_lines_from_a_thread_arrive_in_order_then_the_end():
    async def scenario():
        feed = LineFeed(asyncio.get_running_loop())

        def write():
            for number in range(2000):
                feed.put("line %d\n" % number)
                if number % 500 == 0:
                    time.sleep(0.01)  # the loop waits, and is woken
            feed.put(END_OF_INPUT)

        threading.Thread(target=write).start()
        return await asyncio.wait_for(read_all(feed), 10)

    assert asyncio.run(scenario()) == ["line %d\n" % number for number in range(2000)]


def test_lines_put_before_the_loop_asks_are_there_at_once():
    async def scenario():
        feed = LineFeed(asyncio.get_running_loop())
        for line in ("a", "b", END_OF_INPUT):
            feed.put(line)
        return await read_all(feed)

    assert asyncio.run(scenario()) == ["a", "b"]


def test_a_put_after_the_loop_closed_is_harmless():
    loop = asyncio.new_event_loop()
    feed = LineFeed(loop)

    async def wait_once():
        task = asyncio.ensure_future(feed.get())
        await asyncio.sleep(0)
        task.cancel()

    loop.run_until_complete(wait_once())
    loop.close()
    feed.put(END_OF_INPUT)  # the reading thread may outlive the loop


def test_the_event_loop_gets_turns_while_lines_keep_coming():
    async def scenario():
        feed = LineFeed(asyncio.get_running_loop())
        for number in range(1000):
            feed.put(number)
        feed.put(END_OF_INPUT)
        turns = 0

        def count():
            nonlocal turns
            turns += 1
            asyncio.get_running_loop().call_soon(count)

        asyncio.get_running_loop().call_soon(count)
        await read_all(feed)
        return turns

    assert asyncio.run(scenario()) >= 1000 // 64
