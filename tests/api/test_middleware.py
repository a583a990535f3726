"""A request whose client went away runs to its end: Ray Serve cancels the request's task,
and the work (a transaction) must not be cut short at an arbitrary await."""

import asyncio

from adapters.http.middleware import RunToCompletionMiddleware


async def test_a_cancelled_request_still_runs_to_its_end():
    started, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def app(scope, receive, send) -> None:
        started.set()
        await release.wait()  # e.g. a database call in flight
        finished.set()

    async def no_receive() -> dict:
        return {"type": "http.disconnect"}

    async def ignore_send(message: dict) -> None:
        pass

    request = asyncio.create_task(
        RunToCompletionMiddleware(app)({"type": "http"}, no_receive, ignore_send)
    )
    await started.wait()
    request.cancel()
    await asyncio.gather(request, return_exceptions=True)
    assert request.cancelled()
    release.set()
    await asyncio.wait_for(finished.wait(), timeout=5)
