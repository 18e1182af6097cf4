"""Memory figures read from /proc (Linux), for the benchmarks: a stretch of code's peak RSS in this
process, and the summed RSS and PSS of a whole process tree sampled while it runs.

RSS counts every page a process maps, so summing it over processes counts twice the pages they
share (shared libraries, pages a forked child still shares with its parent); PSS
(/proc/<pid>/smaps_rollup) splits each shared page between the processes that map it, so a
tree's summed PSS is what the tree costs (its share of pages shared with processes outside the
tree aside)."""

import os
import threading
import time


def _field_kb(path: str, field: str) -> int | None:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb(pid: int | str = "self") -> float:
    return (_field_kb(f"/proc/{pid}/status", "VmRSS:") or 0) / 1024


def pss_mb(pid: int | str = "self") -> float | None:
    kb = _field_kb(f"/proc/{pid}/smaps_rollup", "Pss:")
    return None if kb is None else kb / 1024


def _hwm_mb() -> float:
    return (_field_kb("/proc/self/status", "VmHWM:") or 0) / 1024


def _reset_hwm() -> bool:
    """Reset this process's VmHWM to its current RSS (writing 5 to clear_refs, Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class StagePeak:
    """`with StagePeak() as stage: …` then stage.start and stage.peak: this process's RSS when the
    stretch began and its highest during it, in MB. The kernel's high-water mark (VmHWM) is reset
    at the start; where that is refused, a thread samples VmRSS every 5 ms instead."""

    def __enter__(self):
        self.start = rss_mb()
        self.peak = self.start
        self._sampler = None
        if not _reset_hwm():
            self._stop = threading.Event()
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        if self._sampler:
            self._stop.set()
            self._sampler.join()
            self.peak = max(self.peak, rss_mb())
        else:
            self.peak = _hwm_mb()
        return False

    def figures(self) -> tuple[float, float]:
        return round(self.start), round(self.peak)


def descendants(pid: int) -> list[tuple[int, int | None]]:
    """(pid, its parent) for pid and every process under it (/proc/<pid>/task/<tid>/children)."""
    found, todo = [], [(pid, None)]
    while todo:
        current, parent = todo.pop()
        found.append((current, parent))
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [(int(child), current) for child in fh.read().split()]
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _label(pid: int, root: int, cmdline: bytes) -> str:
    if pid == root:
        return "job"
    if b"resource_tracker" in cmdline:
        return "resource tracker"
    if b"spawn_main" in cmdline:
        return "worker"
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return "?"


class TreeSampler:
    """Samples every `interval` s the RSS and PSS of a process and all its descendants, summed:
    the peak sums (and who made them up at that moment), and each process's own peaks. PSS is
    None where smaps_rollup cannot be read.

    A child whose command line is still its parent's is skipped (`transient` counts them): it is
    between fork (or vfork, sharing the very pages) and exec, e.g. a worker being spawned or
    ctypes running ldconfig, and counting it would count its parent's pages twice. (A child forked
    to run on without exec would be skipped too: none is in the trees measured here.)"""

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.peak_rss, self.peak_pss = 0.0, 0.0
        self.at_peak_rss: dict = {}
        self.at_peak_pss: dict = {}
        self.per_process: dict = {}  # pid: [label, peak RSS, peak PSS]
        self.samples, self.transient, self.pss_readable, self.cpu = 0, 0, True, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    def _run(self):
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                break
        self.cpu = time.thread_time()

    def sample(self):
        rss_now, pss_now, cmdlines = {}, {}, {}
        for pid, parent in descendants(self.root):
            cmdlines[pid] = cmdline = _cmdline(pid)
            if cmdline is None:
                continue  # gone
            if parent is not None and cmdline == cmdlines.get(parent):
                self.transient += 1
                continue
            rss = rss_mb(pid)
            if not rss:
                continue  # gone, or a zombie
            pss = pss_mb(pid)
            rss_now[pid] = rss
            if pss is None:
                self.pss_readable = False
            else:
                pss_now[pid] = pss
            entry = self.per_process.setdefault(pid, [_label(pid, self.root, cmdline), 0.0, 0.0])
            entry[1] = max(entry[1], rss)
            entry[2] = max(entry[2], pss or 0.0)
        self.samples += 1
        if sum(rss_now.values()) > self.peak_rss:
            self.peak_rss = sum(rss_now.values())
            self.at_peak_rss = {pid: round(mb) for pid, mb in rss_now.items()}
        if sum(pss_now.values()) > self.peak_pss:
            self.peak_pss = sum(pss_now.values())
            self.at_peak_pss = {pid: round(mb) for pid, mb in pss_now.items()}

    def describe(self, figures: dict) -> str:
        """ "job 120 + worker 230 + …" for {pid: MB} taken at a peak."""
        return " + ".join(
            f"{self.per_process[pid][0]} {mb}"
            for pid, mb in sorted(figures.items())
            if pid in self.per_process
        )

    def per_process_lines(self, least_mb: float = 5) -> list[str]:
        """Each process's peaks; those under `least_mb` (short-lived helpers: ldconfig…) only counted."""
        lines = [
            f"{label} (pid {pid}): peak RSS {rss:.0f} MB"
            + (f", PSS {pss:.0f} MB" if self.pss_readable else "")
            for pid, (label, rss, pss) in sorted(self.per_process.items())
            if rss >= least_mb
        ]
        small = [label for label, rss, _pss in self.per_process.values() if rss < least_mb]
        if small:
            lines.append(
                f"and {len(small)} processes under {least_mb:.0f} MB ({', '.join(sorted(set(small)))})"
            )
        return lines
