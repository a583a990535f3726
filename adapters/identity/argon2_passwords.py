"""Password hashing with Argon2id (argon2-cffi), in threads of its own, a bounded number at
a time."""

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import Busy

T = TypeVar("T")

# A check (hash or verify) costs about 200 ms of one core and 64 MiB. At most half the cores
# (at least one) check passwords, so that every other request always has the other half:
# without a bound, a burst of logins took every core, and every worker thread that audio
# decoding and file reads wait for. The checks run in a pool of their own for that reason.
DEFAULT_CONCURRENT_CHECKS = max(1, (os.cpu_count() or 2) // 2)
# Up to 8 checks wait per running one, about 1.6 s at most; a login that would wait longer is
# refused at once (503, Retry-After) instead of queueing without end.
WAITING_PER_CHECK = 8
RETRY_AFTER_SECONDS = 2


class Argon2PasswordHasher:
    """`time_cost` and `memory_cost` (KiB) trade login latency for resistance to cracking;
    argon2-cffi's defaults follow RFC 9106's low-memory recommendation. At most
    `concurrent_checks` checks run at once and `waiting_checks` more wait; past that a check
    raises Busy."""

    def __init__(
        self,
        time_cost: int = 3,
        memory_cost: int = 65536,
        parallelism: int = 1,
        *,
        concurrent_checks: int = DEFAULT_CONCURRENT_CHECKS,
        waiting_checks: int | None = None,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        # Checked against when there is no real hash, so a miss costs as much as a hit.
        self._decoy = self._hasher.hash("decoy password with no account")
        self._pool = ThreadPoolExecutor(concurrent_checks, thread_name_prefix="argon2")
        waiting = (
            concurrent_checks * WAITING_PER_CHECK if waiting_checks is None else waiting_checks
        )
        self._max_admitted = concurrent_checks + waiting
        self._admitted = 0  # running and waiting, counted on the event loop

    async def hash(self, password: str) -> str:
        return await self._check(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await self._check(self._verify, password_hash, password)

    async def _check(self, work: Callable[..., T], *args: object) -> T:
        if self._admitted >= self._max_admitted:
            raise Busy("Too many password checks at once; try again shortly", RETRY_AFTER_SECONDS)
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self._admitted -= 1

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None
