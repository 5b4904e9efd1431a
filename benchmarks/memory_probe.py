"""Peak memory of one call of a step, and the resident set size of the process.

NumPy-based systems are measured with `tracemalloc`, which counts every
allocation made through Python's allocators, NumPy's array buffers
included. PyTorch allocates tensor storage in C++, which tracemalloc does
not see, so torch is measured from the memory events of `torch.profiler`
(profile_memory=True): each op's allocations and frees in torch's CPU
allocator, replayed in order. The two instruments count different things
(tracemalloc also counts Python objects, the profiler only tensor storage),
so a torch figure is comparable with the others only roughly.
"""

import contextlib
import gc
import os
import sys
import tracemalloc


def tracemalloc_peak(step, prepare=None):
    """Return the peak bytes that one call of `step()` allocates above the level before it.

    `prepare()`, if given, runs first, outside the measurement (for example,
    to clear gradients). The output of `step` is kept until the peak is
    read, so it counts. The cycle collector is left as it is.
    """
    if prepare is not None:
        prepare()
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        output = step()
        peak = tracemalloc.get_traced_memory()[1] - base
        del output
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak


@contextlib.contextmanager
def _quiet_stderr():
    """Silence file descriptor 2: the profiler's C++ library logs start and stop lines there."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def torch_profiler_peak(step, prepare=None):
    """Return the peak bytes of torch's CPU allocator during one call of `step()`.

    Replays the profiler's events in start-time order: an op's own
    allocations and frees (self_cpu_memory_usage) and the frees made
    outside any op ("[memory]" events). NOTE: an op's own allocations and
    frees are placed at its start, so an op that allocates and frees a
    temporary inside itself hides that temporary from the peak.
    """
    from torch.profiler import ProfilerActivity, profile

    if prepare is not None:
        prepare()
    gc.collect()
    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        output = step()
        del output
    level = peak = 0
    for event in sorted(prof.events(), key=lambda event: event.time_range.start):
        change = (event.cpu_memory_usage if event.name == "[memory]"
                  else event.self_cpu_memory_usage)
        level += change
        peak = max(peak, level)
    return peak


def resident_bytes():
    """Return the resident set size of this process in bytes, or None where /proc is missing."""
    # os.open and os.read, not open(): a text file object leaves about 67
    # traced bytes behind on each call (CPython 3.11), which the memory
    # suite would count as growth.
    try:
        descriptor = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            resident_pages = int(os.read(descriptor, 256).split()[1])
        finally:
            os.close(descriptor)
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")
