#!/usr/bin/env python3
"""Compares builds of kmsguard on one command, run in turn (README, Benchmarks):

  python3 scripts/ab.py ROUNDS COPIES ARGS... -- BASELINE_BINARY OTHER_BINARY...

Each binary is first copied COPIES times to fresh files next to it in the temporary directory:
on the project's host a byte-identical copy of one binary ran 3.7% slower than the original
over 150 rounds (where the system happens to place a binary's pages matters), so a build is
judged over several copies, never one file. Every round runs every copy once, in a new random
order, so that the host's slow and fast phases (they last minutes) fall on all builds alike.
Reported per build: the median wall time and the median CPU time (user + system) over all runs
of all its copies, each as a ratio to the first binary's, and each copy's own median.
"""

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    if "--" not in sys.argv or len(sys.argv) < 5:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    rounds, copies = int(sys.argv[1]), int(sys.argv[2])
    args, binaries = sys.argv[3:split], sys.argv[split + 1 :]
    if not binaries:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="kmsguard-ab-")
    runs = []  # (binary, copy path)
    for i, binary in enumerate(binaries):
        for c in range(copies):
            path = os.path.join(work, f"{i}-{c}-{os.path.basename(binary)}")
            shutil.copyfile(binary, path)
            os.chmod(path, 0o755)
            runs.append((binary, path))
    wall = {path: [] for _, path in runs}
    cpu = {path: [] for _, path in runs}
    # Two warm-up rounds are not counted.
    for r in range(rounds + 2):
        order = runs[:]
        random.shuffle(order)
        for _, path in order:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([path] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r >= 2:
                wall[path].append(elapsed * 1000)
                used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                cpu[path].append(used * 1000)
    base = None
    for binary in binaries:
        paths = [p for b, p in runs if b == binary]
        w = statistics.median([x for p in paths for x in wall[p]])
        u = statistics.median([x for p in paths for x in cpu[p]])
        base = base or (w, u)
        each = " ".join(f"{statistics.median(wall[p]):.2f}" for p in paths)
        print(
            f"{binary}: wall {w:.2f} ms ({w / base[0]:.3f}), cpu {u:.2f} ms ({u / base[1]:.3f});"
            f" copies {each}"
        )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
