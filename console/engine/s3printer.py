"""The CLI's ResultPrinter for transfers between the workspace and S3 (awscli's
`customizations/s3/results.py`): the same lines, the same padding, the same progress.

The progress line (`Completed 12.0 MiB/100.0 MiB (9.8 MiB/s) with 3 file(s) remaining`)
ends in `\\r` so the next one overwrites it, and every line after it is padded with spaces
to its length, as the CLI does. It is drawn only where the CLI draws it: on a terminal
(`Target.tty`), without `--no-progress`, `--quiet` or `--only-show-errors`. A run's
output is stored, so it is drawn at most every PROGRESS_INTERVAL seconds rather than on
every part, and its writes happen on the command's own thread (`tick`), never on
s3transfer's: counters are what the transfer threads touch, under a lock.
"""

from __future__ import annotations

import threading
import time

from . import Sink

PROGRESS_INTERVAL = 0.5


def human_readable_size(value: float) -> str:
    """awscli's human_readable_size: `1 Byte`, `10 Bytes`, `1.0 KiB`, `12.0 MiB`."""
    if value == 1:
        return "1 Byte"
    if value < 1024:
        return f"{int(value)} Bytes"
    for exponent, suffix in enumerate(("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"), start=2):
        unit = 1024**exponent
        if round((value / unit) * 1024) < 1024:
            return f"{1024 * value / unit:.1f} {suffix}"
    return f"{1024 * value / 1024**7:.1f} EiB"


class TransferPrinter:
    """Lines for transfer results (stdout for successes, stderr for failures) and the
    progress line; counts failures and warnings for the exit code (1, else 2, else 0)."""

    def __init__(self, sink: Sink, raw: Sink, quiet: bool, only_show_errors: bool, progress: bool) -> None:
        self.sink = sink
        self.raw = raw  # for the progress line, whose `\r` must reach the terminal
        self.quiet = quiet
        self.only_errors = only_show_errors
        self.progress = progress and not (quiet or only_show_errors)
        self.failed = 0
        self.warned = 0
        self.expected_files = 0
        self.expected_bytes = 0
        self.files_done = 0
        self._bytes_done = 0
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._progress_length = 0

    # -- counters (any thread) ----------------------------------------------------------------

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self._bytes_done += count

    @property
    def bytes_done(self) -> int:
        with self._lock:
            return self._bytes_done

    # -- lines (the command's thread) ----------------------------------------------------------

    def success(self, verb: str, where: str) -> None:
        self.files_done += 1
        if not (self.quiet or self.only_errors):
            self._line("stdout", f"{verb}: {where}")
        self._redisplay()

    def dryrun(self, verb: str, where: str) -> None:
        if not self.quiet:
            self._line("stdout", f"(dryrun) {verb}: {where}")

    def failure(self, verb: str, where: str, exception: object) -> None:
        self.failed += 1
        self.files_done += 1
        if not self.quiet:
            self._line("stderr", f"{verb} failed: {where} {exception}")
        self._redisplay()

    def warning(self, message: str) -> None:
        self.warned += 1
        if not self.quiet:
            self._line("stderr", message)
        self._redisplay()

    def fatal(self, exception: object) -> None:
        self.failed += 1
        if not self.quiet:
            self._line("stderr", f"fatal error: {exception}")

    def tick(self) -> None:
        """Redraw the progress line if it is due (called while a transfer is waited on)."""
        if self.progress and time.monotonic() - self._drawn_at >= PROGRESS_INTERVAL:
            self._draw_progress()

    def finish(self) -> None:
        """Clear a progress line still showing, as the CLI does once every file is done."""
        if self._progress_length:
            self.sink.write("stdout", "".ljust(self._progress_length) + "\n")
            self._progress_length = 0

    def exit_code(self) -> int:
        return 1 if self.failed else 2 if self.warned else 0

    # -- drawing ------------------------------------------------------------------------------

    def _line(self, stream: str, text: str) -> None:
        self.sink.write(stream, text.ljust(self._progress_length) + "\n")

    def _redisplay(self) -> None:
        self._progress_length = 0
        if self.progress and self.files_done < self.expected_files:
            self._draw_progress()

    def _draw_progress(self) -> None:
        remaining = self.expected_files - self.files_done
        if self.expected_bytes > 0:
            done = self.bytes_done
            speed = done / max(time.monotonic() - self._started, 1e-6)
            text = (
                f"Completed {human_readable_size(done)}/{human_readable_size(self.expected_bytes)} "
                f"({human_readable_size(speed)}/s) with {remaining} file(s) remaining"
            )
        else:
            text = f"Completed {self.files_done} file(s) with {remaining} file(s) remaining"
        text = text.ljust(self._progress_length)
        self._progress_length = len(text)
        self._drawn_at = time.monotonic()
        self.raw.write("stdout", text + "\r")
