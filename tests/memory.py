"""Peak memory of a process tree, polled from /proc, for tests that bound what an attack costs."""

from __future__ import annotations

import threading
from pathlib import Path


class TreeMemory:
    """Peak memory (PSS) of a process and all its descendants, polled from /proc."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.crawl_peak = 0  # the `scrapy crawl` process and its extraction workers
        self.at_peak: dict[str, int] = {}  # process -> RSS when the tree was largest
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    @staticmethod
    def _children() -> dict[int, list[int]]:
        tree: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
        return tree

    @staticmethod
    def _rss(pid: int) -> int:
        """Proportional set size: pages shared between processes (forked workers) count
        once across the tree rather than once per process, as plain RSS would."""
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _poll(self) -> None:
        while not self._stop.is_set():
            tree, todo, sizes = self._children(), [self.pid], {}
            while todo:
                pid = todo.pop()
                sizes[pid] = self._rss(pid)
                todo.extend(tree.get(pid, []))
            crawl = [pid for pid in sizes if "scrapy crawl" in self._name(pid)]
            below, todo = 0, list(crawl)
            while todo:
                pid = todo.pop()
                below += sizes.get(pid, 0)
                todo.extend(tree.get(pid, []))
            self.crawl_peak = max(self.crawl_peak, below)
            if sum(sizes.values()) > self.peak:
                self.peak = sum(sizes.values())
                self.at_peak = {self._name(pid): size for pid, size in sizes.items()}
            self._stop.wait(self.interval)

    @staticmethod
    def _name(pid: int) -> str:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return str(pid)
        return f"{pid} " + " ".join(w.decode(errors="replace") for w in words[1:4])

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak
