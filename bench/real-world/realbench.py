#!/usr/bin/env python3
"""Helpers of bench/real-world/run.sh: write a run's plan, summarise the runs into tables.

  realbench.py plan ROOTFS NAME BUILD CONFIG SRCDIR   writes ROOTFS/var/lib/sysroot-build-plan.json
  realbench.py summarize OUT                          writes OUT/results.{json,tsv,md}

Only the files bq2 itself writes are read (plan, overrides, history, state, session events), so
the numbers are what a user of `bq2 iterate` would see.
"""
import json
import os
import re
import sys

# What newer compilers make default (GCC 14: implicit declarations, implicit int, int-conversion and
# incompatible pointer types are errors; GCC 10: -fno-common; GCC 15: C23; GCC 16: C++20).
# GCC 12 here has no -std=gnu23, so its name for the same dialect, gnu2x.
STRICT_CFLAGS = ("-O2 -std=gnu2x -Werror=implicit-function-declaration -Werror=implicit-int "
                 "-Werror=incompatible-pointer-types -Werror=int-conversion -fno-common")

CONFIGS = {
    # name: (description, phase env, extra configure flags for autotools, for cmake)
    "strict": ("host gcc with the defaults of newer compilers",
               {"CC": "gcc", "CXX": "g++", "CFLAGS": STRICT_CFLAGS, "CXXFLAGS": "-O2 -std=gnu++20"},
               [], []),
    "musl": ("static build with musl-gcc",
             {"CC": "musl-gcc -static", "CFLAGS": "-O2"},
             [], []),
    "cross": ("cross build for aarch64 with the Debian cross toolchain",
              {"CC": "aarch64-linux-gnu-gcc", "CXX": "aarch64-linux-gnu-g++", "AR": "aarch64-linux-gnu-ar",
               "RANLIB": "aarch64-linux-gnu-ranlib", "CFLAGS": "-O2"},
              ["--host=aarch64-linux-gnu"],
              ["-DCMAKE_SYSTEM_NAME=Linux", "-DCMAKE_SYSTEM_PROCESSOR=aarch64"]),
}


def write_plan(rootfs, name, build, config, srcdir):
    desc, env, auto_flags, cmake_flags = CONFIGS[config]
    rootfs = os.path.abspath(rootfs)
    step = {
        "name": name,
        "strategy": "cmake-project" if build == "cmake" else "autotools",
        "workdir": os.path.join(rootfs, "workspace", srcdir),
        "configure_flags": list(cmake_flags if build == "cmake" else auto_flags),
        "patches": [],
        "env": {},
        "clean_build": False,
    }
    if build == "cmake":
        step["build_dir"] = "build"
    plan = {
        "format_version": 2,
        "phases": [{
            "name": "build-" + config,
            "description": "%s: %s" % (name, desc),
            "namespace": "host",
            "install_prefix": "/usr",
            "destdir": os.path.join(rootfs, "stage"),
            "env": dict(env),
            "steps": [step],
        }],
    }
    os.makedirs(os.path.join(rootfs, "var", "lib"), exist_ok=True)
    path = os.path.join(rootfs, "var", "lib", "sysroot-build-plan.json")
    with open(path + ".tmp", "w") as f:
        json.dump(plan, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_jsonl(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


# Lines that say why a build stopped, best first; the first excerpt line matching the best
# pattern is the table's "decisive" line (results.json keeps the whole excerpt).
DECISIVE = [re.compile(p) for p in (
    r"configure: error:|CMake Error|unknown option|unrecognized (command[- ]line )?option|not supported"
    r"|configure failed|unable to infer",
    r"attempted static link|undefined reference|multiple definition|cannot find -l|cannot execute|Exec format error",
    r"(fatal )?error:(?!.*ld returned)",
    r"No such file or directory|not found|No rule to make target|cannot|[Ee]rror",
)]


def decisive(excerpt):
    """The line of the excerpt that reads most like the cause (for the table)."""
    lines = [l.strip() for l in excerpt or []
             if not l.startswith(("Finished in", "Step failed", "Running in"))
             and not re.match(r"g?make(\[\d+\])?: (\*\*\*|Entering|Leaving)", l)]
    for pattern in DECISIVE:
        for line in lines:
            if pattern.search(line):
                return line
    return (excerpt or [""])[-1].strip()


def describe_override(o):
    parts = []
    for k, v in sorted((o.get("env") or {}).items()):
        parts.append('%s="%s"' % (k, v))
    for f in o.get("configure_flags_add") or []:
        parts.append(f)
    if o.get("configure_flags") is not None:
        parts.append("configure_flags=" + " ".join(o["configure_flags"]))
    for p in o.get("patches_add") or []:
        parts.append("patch " + os.path.basename(p))
    if o.get("build_dir"):
        parts.append("build_dir=" + o["build_dir"])
    return " ".join(parts)


def outcome_of(delta_id, outcomes, reverted):
    """fixed / new_failure / same_failure from the history; "reverted" wins; "open" = none recorded."""
    if any(r.get("id") == delta_id for r in reverted):
        return "reverted"
    return outcomes.get(delta_id, "open")


def summarize_run(run_dir):
    meta = read_json(os.path.join(run_dir, "run.json"), {})
    rootfs = os.path.join(run_dir, "rootfs")
    lib = os.path.join(rootfs, "var", "lib")
    events = []
    sess_root = os.path.join(run_dir, "session")
    if os.path.isdir(sess_root):
        for s in sorted(os.listdir(sess_root)):
            events += read_jsonl(os.path.join(sess_root, s, "events.jsonl"))
    overrides = read_json(os.path.join(lib, "sysroot-build-overrides.json"), {}) or {}
    state = read_json(os.path.join(lib, "sysroot-build-state.json"), {}) or {}
    history = read_jsonl(os.path.join(lib, "sysroot-build-overrides.history.jsonl"))
    name, config = meta.get("package"), meta.get("config")

    runner_exits = [e for e in events if e.get("type") == "runner_exited"]
    failures = [e for e in events if e.get("type") == "failure"]
    stopped = [e for e in events if e.get("type") == "stopped"]
    rejected = [e for e in events if e.get("type") == "proposal_rejected"]
    done = (state.get("progress") or {}).get("completed_steps") or {}
    completed = any(name in (steps or []) for steps in done.values())
    failed_first = bool(runner_exits) and (runner_exits[0].get("data") or {}).get("exit_code") != 0
    kept = []
    for ph in (overrides.get("phases") or {}).values():
        for step, o in (ph.get("steps") or {}).items():
            d = describe_override(o)
            if d:
                kept.append(d)
        if ph.get("env"):
            kept.append("phase env " + json.dumps(ph["env"], sort_keys=True))
    applied = [h for h in history if h.get("event") == "applied"]
    reverted = [h for h in history if h.get("event") == "reverted"]
    outcomes = {h.get("id"): h.get("outcome") for h in history if h.get("event") == "outcome"}
    deltas = []
    for h in applied:
        d = h.get("delta") or {}
        deltas.append({"delta": describe_override(d) + (" clean_build" if d.get("clean_build") else ""),
                       "rule": re.sub(r".*\(rule ([^)]*)\).*", r"\1", h.get("rationale") or ""),
                       "outcome": outcome_of(h.get("id"), outcomes, reverted)})
    useless_kept = [d["delta"] for d in deltas if d["outcome"] in ("same_failure", "open")]
    escalated = bool(stopped)
    why = ""
    if stopped:
        why = stopped[-1].get("message") or ""
        reasons = [r.get("message") for r in rejected if r.get("message")]
        if reasons:
            why += " | " + reasons[-1]
    elif not completed and meta.get("exit_code") not in (0, None):
        why = "bq2 iterate exit %s (see iterate.out)" % meta.get("exit_code")
    first = failures[0] if failures else None
    last = failures[-1] if failures else None
    return {
        "package": name, "config": config, "build": meta.get("build"),
        "failed_first": failed_first, "completed": completed,
        "fixed": failed_first and completed,
        "overrides_kept": kept, "deltas_applied": len(applied), "deltas_reverted": len(reverted),
        "deltas": deltas, "useless_kept": useless_kept,
        "escalated": escalated and not completed, "why": why,
        "iterations": len([e for e in events if e.get("type") == "runner_started"]),
        "wall_s": meta.get("wall_s"), "exit_code": meta.get("exit_code"),
        "first_failure": None if not first else {
            "class": (first.get("data") or {}).get("class"), "error": first.get("message"),
            "decisive": decisive((first.get("data") or {}).get("excerpt")),
            "excerpt": (first.get("data") or {}).get("excerpt")},
        "last_failure": None if not last or last is first else {
            "class": (last.get("data") or {}).get("class"), "error": last.get("message"),
            "decisive": decisive((last.get("data") or {}).get("excerpt")),
            "excerpt": (last.get("data") or {}).get("excerpt")},
        "run_dir": os.path.abspath(run_dir),
    }


def yn(b):
    return "y" if b else "n"


def md_cell(s, limit=110):
    s = (s or "").replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= limit else s[:limit - 1] + "…"


def read_expected(path):
    exp = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                pkg, config, expect, why = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
                exp[(pkg, config)] = (expect, why)
    return exp


def verdict(r, expected):
    """ok / missed / wrong against expected.tsv (no entry = the package builds with no override)."""
    expect, _ = expected.get((r["package"], r["config"]), ("builds", ""))
    kept = bool(r["overrides_kept"]) or bool(r["useless_kept"])
    if expect == "fix":
        if not r["fixed"]:
            return "missed"
        return "ok" if not r["useless_kept"] else "fixed, useless delta kept"
    if expect == "escalate":
        if r["completed"]:
            return "completed (check)"
        return "ok" if r["escalated"] and not kept else "wrong"
    if r["failed_first"]:
        return "new failure (check)"
    return "ok" if not kept else "wrong"


def summarize(out):
    runs_dir = os.path.join(out, "runs")
    names = sorted(os.listdir(runs_dir))
    selection = os.path.join(out, "selection")
    if os.path.exists(selection):  # the runs of the last run.sh invocation only
        with open(selection) as f:
            names = [line.strip() for line in f if line.strip()]
    rows = [summarize_run(os.path.join(runs_dir, d)) for d in names
            if os.path.exists(os.path.join(runs_dir, d, "run.json"))]
    expected = read_expected(os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.tsv"))
    for r in rows:
        r["expected"] = expected.get((r["package"], r["config"]), ("builds", ""))[0]
        r["verdict"] = verdict(r, expected)
    rows.sort(key=lambda r: (r["package"] or "", list(CONFIGS).index(r["config"]) if r["config"] in CONFIGS else 9))
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"runs": rows, "machine": read_json(os.path.join(out, "machine.json"), {})}, f, indent=2)
        f.write("\n")
    cols = ["package", "config", "expected", "verdict", "failed_first", "fixed", "completed", "escalated", "iterations",
            "deltas_applied", "deltas_reverted", "wall_s", "overrides_kept", "first_decisive", "why"]
    with open(os.path.join(out, "results.tsv"), "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            vals = [r["package"], r["config"], r["expected"], r["verdict"], yn(r["failed_first"]), yn(r["fixed"]), yn(r["completed"]),
                    yn(r["escalated"]), r["iterations"], r["deltas_applied"], r["deltas_reverted"], r["wall_s"],
                    "; ".join(r["overrides_kept"]),
                    (r["first_failure"] or {}).get("decisive", ""), r["why"]]
            f.write("\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in vals) + "\n")
    n = len(rows)
    failed = [r for r in rows if r["failed_first"]]
    lines = [
        "| package | config | expected | verdict | failed first | fixed | escalated | iter. | kept overrides | wall s | first decisive line / why stopped |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        first = (r["first_failure"] or {}).get("decisive", "")
        tail = first
        if r["escalated"]:
            tail = first + " → stopped: " + r["why"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |" % (
            r["package"], r["config"], r["expected"], r["verdict"], yn(r["failed_first"]), yn(r["fixed"]), yn(r["escalated"]),
            r["iterations"], md_cell("; ".join(r["overrides_kept"]) or "—", 80),
            r["wall_s"], md_cell(tail, 160)))
    total_wall = sum(r["wall_s"] or 0 for r in rows)
    lines += [
        "",
        "%d runs; %d failed first; %d of those fixed; %d escalated; %d completed without failing; "
        "%d runs keep at least one override; %d deltas applied, %d reverted, %d kept that did not help; "
        "sum of wall times %.0f s." % (
            n, len(failed), len([r for r in failed if r["fixed"]]), len([r for r in rows if r["escalated"]]),
            len([r for r in rows if r["completed"] and not r["failed_first"]]),
            len([r for r in rows if r["overrides_kept"]]),
            sum(r["deltas_applied"] for r in rows), sum(r["deltas_reverted"] for r in rows),
            sum(len(r["useless_kept"]) for r in rows), total_wall),
    ]
    def count(expect):
        sel = [r for r in rows if r["expected"] == expect]
        return len([r for r in sel if r["verdict"] == "ok"]), len(sel)
    lines.append("")
    lines.append("Against expected.tsv: one-override failures fixed %d/%d; needing a patch, tool or library "
                 "escalated with no override kept %d/%d; packages that build left without overrides %d/%d." % (
                     count("fix") + count("escalate") + count("builds")))
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv):
    if len(argv) >= 2 and argv[1] == "plan" and len(argv) == 7:
        write_plan(*argv[2:])
    elif len(argv) == 3 and argv[1] == "summarize":
        summarize(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
