"""Memory bandwidth per level of the hierarchy: a STREAM-style copy on every thread in use.

One thread cannot saturate a memory system (the old roof, OpenVINO's elementwise Add, read 2.4x
below what a plain numpy copy streams), so each of N Python threads copies its own slice with
`np.copyto`, which releases the GIL for the copy itself.  The working set decides the level it
measures: a set half the size of a thread's L2 stays in L2, half the L3 in L3, and many times the
L3 goes to DRAM.  Bytes counted are the ones read plus the ones written (STREAM's convention,
and the one flops.py counts a layer's bytes by).  Cache sizes come from Linux's sysfs; where it
has none only the DRAM roof is measured.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ovgui.core.report import MemoryRoof

CACHE_SYSFS = Path("/sys/devices/system/cpu/cpu0/cache")
DRAM_WORKING_SET_BYTES = 512 * 2**20
"""At least 8x any L3 this runs on; raised to 8x the L3 where the L3 is larger."""
REPETITION_BYTES = 16 * 2**20
"""A thread copies a cache-sized slice until it has read this much: about a millisecond."""
CHUNK_BYTES = 8 * 2**20
"""A thread copies a DRAM-sized slice this much at a time: a millisecond or two, and with two
threads 32 MiB a repetition, so the chunks copied before come round only after L3 is flushed."""


@dataclass(frozen=True)
class CacheLevel:
    level: int
    size_bytes: int
    shared_by: int  # logical CPUs sharing one instance


def parse_size(text: str) -> int:
    """sysfs sizes: "1024K", "32M", "48K" or a plain byte count; 0 when unreadable."""
    text = text.strip().upper()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
    digits = text[:-1] if text[-1:] in "KMG" else text
    return int(digits) * scale if digits.isdigit() else 0


def _cpu_count_in(cpu_list: str) -> int:
    """ "0-1,4" -> 3; 1 when unreadable."""
    count = 0
    for part in cpu_list.strip().split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            count += int(high or low) - int(low) + 1
    return count or 1


def cache_levels(root: Path = CACHE_SYSFS) -> dict[int, CacheLevel]:
    """The data-holding caches (L2, L3...) of CPU 0, by level; {} where sysfs says nothing."""
    levels: dict[int, CacheLevel] = {}
    for index in sorted(root.glob("index*")):
        try:
            level = int((index / "level").read_text())
            kind = (index / "type").read_text().strip()
            size = parse_size((index / "size").read_text())
            shared_path = index / "shared_cpu_list"
            shared = _cpu_count_in(shared_path.read_text()) if shared_path.exists() else 1
        except (OSError, ValueError):
            continue
        if level >= 2 and kind in ("Unified", "Data") and size > 0:
            levels[level] = CacheLevel(level, size, shared)
    return levels


def working_sets(levels: dict[int, CacheLevel], threads: int) -> list[tuple[str, int, int]]:
    """(level name, capacity judged against it, working set streamed) from the smallest level.

    A level's capacity is what the threads in use can hold in it together: a private cache's size
    times the instances the threads use (one each, two threads on one core's L2 share it), a
    shared one's its size once.  A layer's threads split its work and the data it touches, so a
    set that fits the cores' L2s together is served from L2 (at the bandwidth those cores reach
    together, which is what the copy over the same threads measures); a set that does not fit
    cannot be held by a faster level, whichever way it is split.  The set streamed is half the
    capacity, so the copy's two arrays stay in the level with room for the rest of the process."""
    sets = []
    for level in sorted(levels):
        cache = levels[level]
        instances = max(1, min(threads, -(-threads // cache.shared_by)))
        capacity = cache.size_bytes * instances
        sets.append((f"L{level}", capacity, capacity // 2))
    largest = max((capacity for _name, capacity, _set in sets), default=0)
    sets.append(("DRAM", 0, max(DRAM_WORKING_SET_BYTES, 8 * largest)))
    return sets


def copy_bandwidth(working_set_bytes: int, threads: int, windows: int, window_s: float) -> float:
    """GB/s (read + written) of `threads` threads each copying its slice of two arrays that
    together hold `working_set_bytes`: the fastest repetition of `windows` short windows, after an
    untimed pass that touches every page.

    A repetition lasts about a millisecond, since on a busy machine only short spans run
    undisturbed (other processes can only slow one down, so the fastest is the nearest to what
    the hardware does): a set that fits a cache is copied over and over, a DRAM-sized one a
    chunk at a time, each repetition the next chunk, so a chunk is long evicted when it comes round."""
    threads = max(1, threads)
    elements = max(1024 * threads, working_set_bytes // 8)  # two float32 arrays
    source = np.ones(elements, np.float32)
    target = np.zeros(elements, np.float32)
    np.copyto(target, source)
    per_thread = [
        [(source[c[0]: c[-1] + 1], target[c[0]: c[-1] + 1]) for c in np.array_split(s, max(1, -(-len(s) * 4 // CHUNK_BYTES)))]
        for s in np.array_split(np.arange(elements), threads)
    ]
    chunk_count = len(per_thread[0])
    copies = max(1, REPETITION_BYTES // max(1, per_thread[0][0][0].nbytes)) if chunk_count == 1 else 1
    barrier = threading.Barrier(threads + 1)
    turn = [0]
    stop = threading.Event()

    def stream(chunks: list[tuple[np.ndarray, np.ndarray]]) -> None:
        while True:
            barrier.wait()
            if stop.is_set():
                return
            src, dst = chunks[turn[0] % len(chunks)]
            for _ in range(copies):
                np.copyto(dst, src)
            barrier.wait()

    workers = [threading.Thread(target=stream, args=(chunks,), daemon=True) for chunks in per_thread]
    for worker in workers:
        worker.start()
    try:
        best = 0.0
        for _ in range(windows):
            end = time.perf_counter() + window_s
            done = 0
            while time.perf_counter() < end or done < chunk_count:
                moved = 2 * copies * sum(chunks[turn[0] % chunk_count][0].nbytes for chunks in per_thread)
                best = max(best, moved / _repetition(barrier) / 1e9)
                turn[0] += 1
                done += 1
        return best
    finally:
        stop.set()
        barrier.wait()
        for worker in workers:
            worker.join()


def _repetition(barrier: threading.Barrier) -> float:
    """Seconds from releasing the threads to the last one finishing its copies."""
    started = time.perf_counter()
    barrier.wait()
    barrier.wait()
    return time.perf_counter() - started


def memory_roofs(threads: int, windows: int, window_s: float, root: Path = CACHE_SYSFS) -> list[MemoryRoof]:
    """One roof per cache level sysfs names, then DRAM, each measured over a set that fits it."""
    return [
        MemoryRoof(name, capacity, working_set, copy_bandwidth(working_set, threads, windows, window_s))
        for name, capacity, working_set in working_sets(cache_levels(root), threads)
    ]


def nested(levels: list[MemoryRoof]) -> list[MemoryRoof]:
    """Each level's roof at least the next outer level's (levels from the smallest).

    A working set that fits L2 also fits L3, so it can be read at least as fast as L3 delivers;
    a measured L2 copy rate below L3's says the measurement was short (Python's per-copy
    overhead weighs most on the smallest sets), not that L2 is slower.  Raising it keeps the
    hierarchy a roof: an inner level's layers are never judged against less than an outer one."""
    result = list(levels)
    for index in range(len(result) - 2, -1, -1):
        outer = result[index + 1].gbytes_per_s
        if result[index].gbytes_per_s < outer:
            result[index] = replace(result[index], gbytes_per_s=outer)
    return result
