"""Where the batches of a scan run: in this process, in a local process pool, or on a dask.distributed cluster.

Each executor takes an iterator of batches and a function to call with each batch's results, in this process's
main thread, as batches finish. At most 2 batches per worker are in flight, so memory stays bounded whatever the
corpus size.

The process pool's workers die with the scan: a `kill -9` of `mindshare scan` must not leave workers (and with
them the pool's forkserver and resource tracker, which live as long as any worker does) behind. The workers are
forked by the forkserver, not by the scan, so each one watches the scan process itself (a pidfd on Linux, a
poll elsewhere) and exits when it is gone; on Linux PR_SET_PDEATHSIG also ends a worker whose forkserver dies.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, Iterable, Iterator

from mindshare.errors import InputError

OnBatch = Callable[[list], None]
PR_SET_PDEATHSIG = 1


class Progress:
    """Bytes worked through inside documents not finished yet, per worker (a large file shows progress before
    its result comes back)."""

    def __init__(self, slots: int = 1, shared=None):
        self._slots = shared if shared is not None else [0] * slots

    def partial(self) -> int:
        return sum(self._slots)

    def add(self, slot: int, size: int) -> None:
        self._slots[slot] += size

    def reset(self, slot: int) -> None:
        self._slots[slot] = 0


# ---------------------------------------------------------------- in this process

def run_here(batches: Iterable[list], work: Callable, on_batch: OnBatch, progress: Progress | None = None,
             tick: Callable[[], None] | None = None) -> None:
    for batch in batches:
        results = work(batch, _bytes_hook(progress, 0, tick))
        if progress:
            progress.reset(0)
        on_batch(results)


def _bytes_hook(progress: Progress | None, slot: int, tick: Callable[[], None] | None):
    if progress is None:
        return None

    def on_bytes(size: int) -> None:
        progress.add(slot, size)
        if tick:
            tick()
    return on_bytes


# ---------------------------------------------------------------- a local process pool

_POOL_WORKER: dict = {}


def _init_worker(scan_pid: int, shared_progress, next_slot) -> None:
    die_with(scan_pid)
    with next_slot.get_lock():
        slot = next_slot.value % len(shared_progress)  # a pool started again after a worker died: slots reused
        next_slot.value += 1
    _POOL_WORKER["progress"] = Progress(shared=shared_progress)
    _POOL_WORKER["slot"] = slot


def _run_in_worker(work: Callable, batch: list) -> list:
    progress, slot = _POOL_WORKER.get("progress"), _POOL_WORKER.get("slot", 0)
    try:
        return work(batch, _bytes_hook(progress, slot, None))
    finally:
        if progress:
            progress.reset(slot)


def die_with(scan_pid: int) -> None:
    """End this process when the scan process `scan_pid` ends, however it ends (kill -9 included)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if not _alive(scan_pid):
        os._exit(1)
    threading.Thread(target=_watch, args=(scan_pid,), name="scan-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - alive, owned by someone else
        return True
    return True


def _watch(pid: int) -> None:
    try:
        import select

        handle = os.pidfd_open(pid)  # readable when the process has ended
        select.select([handle], [], [])
    except (AttributeError, OSError):  # no pidfd (not Linux, or a kernel before 5.3): poll
        while _alive(pid):
            time.sleep(0.5)
    os._exit(1)


# What the pool's forkserver imports once, so that each worker starts warm.
PRELOAD = ["mindshare.scan.runner", "mindshare.scan.rules", "pypdfium2"]


def pool_context():
    """The start method of the pool's workers: a forkserver (posix), so that workers do not inherit this process's
    threads or its open store; else spawn."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if os.name == "posix":
        context.set_forkserver_preload(PRELOAD)
    return context


def start_early() -> None:
    """Start the pool's forkserver now: it imports PRELOAD (~0.1 s) while this process opens the store and lists the
    corpus, instead of after, when the first batch waits for it. It ends with this process."""
    if os.name == "posix":
        from multiprocessing import forkserver

        pool_context()
        forkserver.ensure_running()


def run_pool(batches: Iterator[list], work: Callable, workers: int, on_batch: OnBatch,
             progress_slots: Callable[[Progress], None] | None = None, tick: Callable[[], None] | None = None,
             on_failed: Callable[[list, str], None] | None = None) -> None:
    """Scan with `workers` processes. forkserver: workers do not inherit the parent's threads or its open store;
    the server imports the scan modules once, so each worker starts warm.

    A worker process that dies (a crash in a PDF library, a kill) breaks the pool and every batch in flight with
    it: those batches go to quarantine, where each of their documents (or archives) is tried alone in a new pool,
    twice; one that kills its worker both times goes to `on_failed(batch, reason)`, and the run goes on."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = pool_context()
    shared = context.Array("q", workers, lock=False)
    next_slot = context.Value("i", 0)
    if progress_slots:
        progress_slots(Progress(shared=shared))

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                   initargs=(os.getpid(), shared, next_slot))

    pools = [new_pool()]
    in_flight: dict = {}  # future -> its batch
    quarantine: list[list] = []

    def collect(timeout: float | None) -> None:
        done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
        broken = False
        for future in done:
            batch = in_flight.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                quarantine.extend([one] for one in batch)
                broken = True
                continue
            on_batch(result)
        if broken:  # the pool is gone, and every batch in flight with it
            for batch in in_flight.values():
                quarantine.extend([one] for one in batch)
            in_flight.clear()
            pools[0].shutdown(wait=True, cancel_futures=True)
            pools[0] = new_pool()
            isolate()
        if tick:
            tick()

    def isolate() -> None:
        """Each quarantined document alone, twice, then recorded as failed."""
        while quarantine:
            batch = quarantine.pop(0)
            for attempt in (1, 2):
                try:
                    result = pools[0].submit(_run_in_worker, work, batch).result()
                except BrokenProcessPool:
                    pools[0].shutdown(wait=True, cancel_futures=True)
                    pools[0] = new_pool()
                    if attempt == 2 and on_failed:
                        on_failed(batch, "its worker process died each time it was tried: tried again next run")
                    continue
                on_batch(result)
                break

    try:
        for batch in batches:
            in_flight[pools[0].submit(_run_in_worker, work, batch)] = batch
            while len(in_flight) >= 2 * workers:
                collect(0.25)
        while in_flight:
            collect(0.25)
    finally:
        pools[0].shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- a dask.distributed cluster

RETRIES = 2  # a batch that raised is tried this many times more (a killed worker: dask's own allowed-failures)


def run_dask(batches: Iterator[list], work: Callable, scheduler: str, on_batch: OnBatch,
             on_failed: Callable[[list, str], None], retries: int = RETRIES) -> None:
    """Scan on a dask.distributed cluster; workers read paths or URLs themselves (through fsspec). A worker with
    several threads runs several batches at once: matching is thread-safe and pdfium is serialised per process
    (`extract.PDFIUM_LOCK`), so PDFs scale with worker processes, not threads.

    A batch that fails is tried again: `retries` times when it raised; when its worker died, as often as the
    scheduler's `distributed.scheduler.allowed-failures` says (then KilledWorker). A batch that still fails is put
    in quarantine: each of its documents (or its archive) is tried alone, one at a time, twice, so one document
    that kills its worker fails alone, and the documents that happened to share a dying worker with it are
    scanned; what fails there goes to `on_failed(batch, reason)`, and the run goes on."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover
        raise InputError("--scheduler needs dask.distributed: pip install 'mindshare[scan]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the dask scheduler at {scheduler} ({exc})") from None
    try:
        window = max(2 * sum(client.nthreads().values()), 2)
        pending = iter(batches)
        submitted: dict = {}  # future key -> (batch, the attempt in quarantine: 0 outside it)
        quarantine: list[tuple[list, int]] = []
        isolated: list = []  # the one quarantined batch in flight

        def submit(batch: list, attempt: int = 0):
            future = client.submit(work, batch, None, pure=False, retries=retries)
            submitted[future.key] = (batch, attempt)
            return future

        queue = as_completed([submit(batch) for batch in _take(pending, window)])

        def next_in_quarantine() -> None:
            if quarantine and not isolated:
                batch, attempt = quarantine.pop(0)
                isolated.append(submit(batch, attempt))
                queue.add(isolated[-1])

        for future in queue:
            batch, attempt = submitted.pop(future.key)
            if attempt:
                isolated.clear()
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - any failure of a batch: quarantine, then record it
                if attempt >= 2:
                    on_failed(batch, _failure(exc))
                elif attempt == 1:
                    quarantine.append((batch, 2))
                else:
                    quarantine.extend(([one], 1) for one in batch)
            else:
                on_batch(result)
            future.release()
            next_in_quarantine()
            if not attempt:
                for batch in _take(pending, 1):
                    queue.add(submit(batch))
    finally:
        client.close()


def _failure(exc: BaseException) -> str:
    """Why a batch failed on the cluster, as the reason recorded for its documents."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return "its worker died each time it was tried (dask KilledWorker): tried again next run"
    return f"failed on the cluster ({name}: {str(exc).splitlines()[0][:200] if str(exc) else ''}): tried again next run"


def _take(iterator: Iterator, n: int) -> list:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= n:
            break
    return out
