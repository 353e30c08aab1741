"""Jobs without a broker (the demo): one thread runs the beat schedule and the jobs sent to it.

The same tasks run eagerly (Celery's ``apply``) in this thread, in the order they come: the
periodic ones when their interval has passed, and those sent after a commit at once.
"""

import logging
import queue
import threading
import time

log = logging.getLogger("slotbooking.jobs")
POLL_SECONDS = 0.05


class InProcessRunner:
    """A scheduler thread driving the Celery app's beat schedule, and a queue of jobs sent now."""

    def __init__(self, celery):
        self.celery = celery
        self.jobs: queue.Queue = queue.Queue()
        self.stopping = threading.Event()
        started = time.monotonic()
        # Like celery beat: each periodic job first runs one interval after the start.
        self.due = {
            entry["task"]: (float(entry["schedule"]), started + float(entry["schedule"]))
            for entry in celery.conf.beat_schedule.values()
        }
        self.thread = threading.Thread(target=self._loop, name="slotbooking-jobs", daemon=True)
        self.delayed: list[tuple[float, tuple]] = []  # (due, job): jobs sent with a countdown
        self._lock = threading.Lock()

    def start(self) -> "InProcessRunner":
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.jobs.put(None)
        self.thread.join(timeout)

    def submit(self, task_name: str, kwargs: dict, headers: dict, delay_seconds: float = 0.0) -> None:
        """Run a job soon (no sooner than delay_seconds from now), in the runner's thread."""
        if delay_seconds > 0:
            with self._lock:
                self.delayed.append((time.monotonic() + delay_seconds, (task_name, kwargs, headers)))
            return
        self.jobs.put((task_name, kwargs, headers))

    def _loop(self) -> None:
        # Polls with short sleeps rather than timed waits on the queue: a timed wait sleeps
        # until an absolute deadline, which a shifted clock (faketime) puts out of reach.
        while not self.stopping.is_set():
            now = time.monotonic()
            for name, (every, at) in list(self.due.items()):
                if at <= now:
                    self.due[name] = (every, now + every)
                    self._run(name, {}, {})
            with self._lock:
                ready = [job for at, job in self.delayed if at <= now]
                self.delayed = [(at, job) for at, job in self.delayed if at > now]
            for job in ready:
                self.jobs.put(job)
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                time.sleep(POLL_SECONDS)
                continue
            if job is not None:
                self._run(*job)

    def _run(self, task_name: str, kwargs: dict, headers: dict) -> None:
        try:
            self.celery.tasks[task_name].apply(kwargs=kwargs, headers=headers)
        except Exception:  # one failing job must not stop the others
            log.exception("in-process job failed", extra={"task": task_name})
