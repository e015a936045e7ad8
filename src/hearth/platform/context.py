"""Who is acting in the current request: read by the audit and the access policy.

A context variable (not a thread local) so it is right under ASGI too. Management
commands and tasks run with an empty context unless they set one with ``acting_as``.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    ip: str | None = None
    user: object | None = None
    membership: object | None = None
    username_attempted: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("hearth_request_context", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext()
        _current.set(ctx)
    return ctx


def begin(ctx: RequestContext):
    return _current.set(ctx)


def end(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def acting_as(user=None, membership=None):
    """Run a block (a command, a task, a test) as this user and membership."""
    token = _current.set(RequestContext(user=user, membership=membership))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class RequestIdLogFilter:
    """Puts the current request id on every log line, so a line can be tied to its audit rows."""

    def filter(self, record) -> bool:
        ctx = _current.get()
        record.request_id = ctx.request_id if ctx is not None else "-"
        return True
