"""A few threads of this process for work a request should not wait on.

A USSD screen is built on one, so that the request can stop waiting when the gateway would; an SMS
is handed to its gateway on one, so that a callback or a page need not wait on the gateway's HTTP.
Each thread has its own database connection, opened and closed as around a request.

Inside a transaction the work runs here and now instead: another thread could not see the
transaction's writes. So it does in tests, whose transaction holds their data.
"""

import logging
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger(__name__)


class Threads:
    def __init__(self, name: str, workers: int) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=name, initializer=self._remember_connections
        )
        self._pending: set[Future] = set()
        self._connections: list[BaseDatabaseWrapper] = []
        _every.append(self)

    def submit(self, work: Callable[..., Any], *args: Any) -> Future:
        """Run `work(*args)` on one of the threads; its future, which logs a failure."""
        if connection.in_atomic_block:
            future: Future = Future()
            try:
                future.set_result(work(*args))
            except Exception as error:
                future.set_exception(error)
        else:
            future = self._pool.submit(_as_a_request, work, *args)
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the work handed over so far to be done (a test's check; a clean stop)."""
        futures.wait(list(self._pending), timeout=timeout)

    def close_connections(self) -> None:
        """Close the threads' database connections, from another thread (before a test database
        is dropped, which no open connection may hold)."""
        for wrapper in self._connections:
            wrapper.inc_thread_sharing()
            try:
                wrapper.close()
            finally:
                wrapper.dec_thread_sharing()

    def _remember_connections(self) -> None:
        self._connections.extend(connections.all(initialized_only=False))

    def _done(self, future: Future) -> None:
        self._pending.discard(future)
        error = future.exception()
        if error is not None:
            log.error("Background work on %s failed", self.name, exc_info=error)


_every: list[Threads] = []


def close_connections() -> None:
    """Close the database connections of every Threads' threads."""
    for threads in _every:
        threads.close_connections()


def _as_a_request(work: Callable[..., Any], *args: Any) -> Any:
    close_old_connections()  # a connection too old or broken is replaced, as at a request's start
    try:
        return work(*args)
    finally:
        close_old_connections()
