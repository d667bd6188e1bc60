#!/usr/bin/env python3
"""Per-iteration autopilot overhead from the files a `bq2 demo` / `bq2 iterate` run leaves.

Gap = next runner's run record `started_at` - previous runner's exit file mtime (the exit file
is written by the runner's wrapper the moment the runner exits, even with no autopilot).
Gaps inside one target phase are failure -> diagnosis -> proposal -> relaunch; a gap across
phases is success -> next phase. Prints every gap, then the medians.
Usage: autopilot_gaps.py LOG_DIR [LOG_DIR...]
"""
import glob
import json
import os
import statistics
import sys
from datetime import datetime, timezone


def parse(ts):
    # 2026-11-27T12:07:46.524513149Z: keep microseconds (datetime has no nanoseconds)
    ts = ts.rstrip("Z")
    if "." in ts:
        head, frac = ts.split(".")
        ts = head + "." + frac[:6].ljust(6, "0")
    return datetime.fromisoformat(ts).replace(tzinfo=timezone.utc).timestamp()


within, across = [], []
for d in sys.argv[1:]:
    runs = []
    for rec in glob.glob(os.path.join(d, "sysroot-runner-*.run.json")):
        with open(rec) as f:
            r = json.load(f)
        exit_file = r.get("exit_file") or rec[: -len(".run.json")] + ".exit"
        ended = os.stat(exit_file).st_mtime_ns / 1e9 if os.path.exists(exit_file) else None
        runs.append((parse(r["started_at"]), ended, r["phase"], os.path.basename(rec)))
    runs.sort()
    # consecutive runs of one rootfs only: each directory is its own autopilot history
    for prev, nxt in zip(runs, runs[1:]):
        if prev[1] is None:
            continue
        gap = (nxt[0] - prev[1]) * 1000
        kind = "retry" if prev[2] == nxt[2] else "next phase"
        (within if kind == "retry" else across).append(gap)
        print(f"  {gap:8.1f} ms  {kind:10s} {prev[3]} -> {nxt[3]}")
for name, gaps in (("retry (failure -> proposal -> relaunch)", within), ("next phase", across)):
    if gaps:
        print(f"{name}: n={len(gaps)} median {statistics.median(gaps):.1f} ms, "
              f"min {min(gaps):.1f} ms, max {max(gaps):.1f} ms")
allg = within + across
if allg:
    m = statistics.median(allg)
    print(f"all gaps: n={len(allg)} median {m:.1f} ms; goal < 300 ms: {'MET' if m < 300 else 'MISSED'}")
