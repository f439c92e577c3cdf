"""Whole-process timing for bench/cli.sh: each tool's command line run in turn,
runs times over, with stdout to /dev/null; the wall time of each run in ms."""
import os
import sys
import time


def interleave(tools, runs):
    """tools: [(name, command line)]; returns {name: [ms, ...]}."""
    wall = {name: [] for name, _ in tools}
    for _ in range(runs):
        for name, cmd in tools:
            argv = cmd.split()
            devnull = os.open(os.devnull, os.O_WRONLY)
            t0 = time.perf_counter_ns()
            pid = os.posix_spawnp(argv[0], argv, dict(os.environ), file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
            _, status = os.waitpid(pid, 0)
            t1 = time.perf_counter_ns()
            os.close(devnull)
            if status != 0:
                sys.exit(f"{name} failed")
            wall[name].append((t1 - t0) / 1e6)
    return wall
