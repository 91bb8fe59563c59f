"""Engine threads that run the model for every request, micro-batching texts across clients.

Every caller (an async text request, a file request's pipeline in a worker thread) submits items to one
queue; an engine thread takes what is queued, waits a few milliseconds for more *only while other
requests are known to be on their way* (an idle request is not delayed), and passes the whole batch
through :meth:`redact.Redactor.predict`, which cuts all documents into windows and hands them to the
runtime together. Each item's future is answered as soon as the engine yields it, not at the end of its
batch. Two engine threads (``threads``) keep the runtime busy across batch boundaries: while one
batch's last windows run, the other thread is already tokenizing and submitting the next batch. A
window's result does not depend on its batch or on what runs beside it (README "Same input, same
output"), so batching never changes a span.

>>> class Fake:  # anything with Redactor.predict's contract
...     def predict(self, items):
...         for it in items:
...             it.spans = [len(it.text)]
...             yield it
>>> b = Batcher(Fake()).start()
>>> b.submit(TextItem("four")).result(5).spans
[4]
>>> b.stop()
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field


@dataclass
class TextItem:
    """What the engine reads (``text``) and fills in (``spans``, ``tokens``)."""

    text: str
    spans: list = field(default_factory=list)
    tokens: int = 0


class Batcher:
    """Runs ``redactor.predict`` in ``threads`` engine threads over batches of submitted items.

    ``wait_ms``: how long to wait for more items when callers have announced them (:meth:`expect`).
    ``max_chars``: a batch closes at this many characters (bounds the engine's buffer and latency).
    ``threads``: engine threads (the redactor's ``predict`` must allow concurrent calls, as
    :class:`redact.Redactor`'s does: its engine keeps no state between calls)."""

    def __init__(self, redactor, wait_ms: float = 5.0, max_items: int = 64, max_chars: int = 2_000_000,
                 threads: int = 2):
        self.redactor = redactor
        self.wait = wait_ms / 1000
        self.max_items, self.max_chars = max_items, max_chars
        self._queue: "queue.Queue[tuple[object, Future] | None]" = queue.Queue()
        self._threads = [threading.Thread(target=self._loop, name=f"redact-engine-{i}", daemon=True)
                         for i in range(max(1, threads))]
        self._expected = 0  # requests accepted whose items are not queued yet
        self._lock = threading.Lock()
        #: counters for /v1/health (numbers only)
        self.batches = self.items = 0

    def start(self) -> "Batcher":
        for t in self._threads:
            t.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Finish what is queued, then end the threads."""
        for _ in self._threads:
            self._queue.put(None)  # one stop mark per thread
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def expect(self, n: int = 1) -> None:
        """A request that will submit soon (its body is being read): batches wait a little for it."""
        with self._lock:
            self._expected += n

    def submit(self, item, expected: bool = False) -> Future:
        """Queue ``item`` (``expected``: it was announced with :meth:`expect`); the future's result is the
        item with ``spans`` set, or the exception the model raised for it."""
        fut: Future = Future()
        if expected:
            with self._lock:
                self._expected -= 1
        self._queue.put((item, fut))
        return fut

    def done_expecting(self) -> None:
        """An announced request that will not submit after all (bad input, too large)."""
        with self._lock:
            self._expected -= 1

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch, chars = [first], len(first[0].text)
            deadline = time.monotonic() + self.wait
            while len(batch) < self.max_items and chars < self.max_chars:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    # wait only for requests already on their way; an idle request runs at once
                    left = deadline - time.monotonic()
                    if self._expected <= 0 or left <= 0:
                        break
                    try:
                        nxt = self._queue.get(timeout=left)
                    except queue.Empty:
                        break
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
                chars += len(nxt[0].text)
            self._run([b for b in batch if b[1].set_running_or_notify_cancel()])
        while True:  # a stop request: whatever is still queued is run, then the thread ends
            try:
                rest = self._queue.get_nowait()
            except queue.Empty:
                break
            if rest is None:  # another thread's stop mark: leave it for that thread
                self._queue.put(None)
                break
            if rest[1].set_running_or_notify_cancel():
                self._run([rest])

    def _run(self, batch: list) -> None:
        if not batch:
            return
        with self._lock:
            self.batches += 1
            self.items += len(batch)
        answered = 0
        try:
            for item in self.redactor.predict([item for item, _ in batch]):
                batch[answered][1].set_result(item)  # in input order, as soon as it is done
                answered += 1
        except Exception as exc:
            rest = batch[answered:]
            if len(rest) == 1:
                rest[0][1].set_exception(exc)
            else:  # one bad item must not fail the others: run each alone
                for one in rest:
                    self._run_one(one)

    def _run_one(self, entry) -> None:
        item, fut = entry
        try:
            fut.set_result(next(iter(self.redactor.predict([item]))))
        except Exception as exc:
            fut.set_exception(exc)
