#!/usr/bin/env bash
# Issue 11 item 8: back-annotation into the real upstream builder (embedconsult/bootstrap-qcow2),
# the seeds' last step (fold the overrides into src/sysroot_builder.cr, format, build, spec,
# commit) done by `bq2 back-annotate`, and checked from the outside.
#
# Usage: bench/upstream-back-annotate.sh GIT_DIR [WORK_DIR]
#   GIT_DIR:  a git dir of github:embedconsult/bootstrap-qcow2 (the search tool's `fetch` brings a
#             bare one, e.g. /work/.mirror/embedconsult+bootstrap-qcow2/repo). Not CI: needs that.
#   WORK_DIR: scratch folder (default: mktemp -d; kept, it holds the evidence).
# Needs: git, python3, Debian's crystal (1.6) and the compat shim of the shared crystal-bq2 build
# (BQ2_CRYSTAL_COMPAT, default /work/shared/tools/crystal-bq2/compat.cr), java 17 + maven (bin/bq2).
#
# What it does (each stage timed):
#  1. clones GIT_DIR into WORK_DIR/repo. The fetched snapshot lacks its two largest blobs
#     (data/bios*.bin); they are left out of the checkout with sparse-checkout, so the work tree is
#     clean and commits work (reset --hard primes the cache tree, so git never needs those blobs).
#  2. builds the upstream tool. `shards build` is not in Debian; shard.yml has no dependencies and
#     one target (bq2: src/main.cr), so `shards build` is `crystal build src/main.cr -o bin/bq2`.
#     With Debian's crystal 1.6 the entry point is bin/main_compat.cr = compat.cr + src/main.cr;
#     bin/ is in upstream's .gitignore, so the shims never reach a commit.
#  3. generates the real plan with the upstream tool: `bin/bq2 sysroot-plan-write --workdir=HW`
#     (HW/seed-rootfs/bq2-rootfs holds the .bq2-rootfs marker; the plan lands in its var/lib).
#  4. applies a real override: tools-from-system/sqlite configure_flags_add --disable-readline.
#     The build of that phase is not run here (hours, network, the seed toolchain): the bench
#     writes the state the runner writes when the phase completed with exactly these overrides
#     (every step of the plan's phases up to tools-from-system completed, plan and overrides digests).
#  5. runs `bq2 back-annotate` with bench/upstream/assistant.sh as the assistant (a local stand-in
#     for the model: it checks the prompt and applies the edit a model makes,
#     bench/upstream/sqlite-disable-readline.patch), the plan command = the build of step 2 +
#     sysroot-plan-write (it writes the rootfs plan itself, as upstream does), and the checks:
#     `crystal tool format --check` of the .cr files the edit changed, and the whole `crystal spec`
#     suite with compat.cr + bench/upstream/compat_spec.cr (two more 1.6 gaps used by src/tar_writer.cr).
#  6. checks from the outside: exit 0; exactly one new commit on top of the clone's HEAD with the
#     two edited files; a clean tree; the tool rebuilt from a fresh clone of that commit regenerates
#     a plan equal (as JSON) to the original plan with the override applied (computed here in
#     python, not by bq2); and upstream's own `sysroot-builder-overrides`, given the original plan,
#     derives from the new code exactly that one change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bq2="$root/bin/bq2"
[ $# -ge 1 ] || { echo "usage: $0 GIT_DIR [WORK_DIR]" >&2; exit 2; }
git_dir=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"; work=$(cd "$work" && pwd)
compat=${BQ2_CRYSTAL_COMPAT:-/work/shared/tools/crystal-bq2/compat.cr}
for t in git python3 crystal java; do command -v $t >/dev/null || { echo "bench: $t is missing" >&2; exit 2; }; done
[ -f "$compat" ] || { echo "bench: $compat not found; set BQ2_CRYSTAL_COMPAT" >&2; exit 2; }
repo=$work/repo hw=$work/hw rootfs=$work/hw/seed-rootfs/bq2-rootfs
build_cmd='crystal build bin/main_compat.cr -o bin/bq2 --no-debug'

now() { date +%s.%N; }
stage_start=0
stage() { stage_start=$(now); echo "== $*"; }
took() { awk -v a="$stage_start" -v b="$(now)" 'BEGIN { printf "   took %.1f s\n", b - a }'; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# clone GIT_DIR into DIR, leaving out blobs the snapshot does not have
clone() {
  git clone -q --no-checkout "$git_dir" "$1"
  missing=()
  while IFS=$'\t' read -r meta path; do
    git -C "$1" cat-file -e "${meta##* }" 2>/dev/null || missing+=("!/$path")
  done < <(git -C "$1" ls-tree -r HEAD | awk '$2 == "blob"')
  if [ ${#missing[@]} -gt 0 ]; then
    git -C "$1" sparse-checkout set --no-cone '/*' "${missing[@]}"
    echo "   left out of the checkout (not in the snapshot): ${missing[*]}"
  fi
  git -C "$1" reset -q --hard HEAD
}

# the upstream tool's build, `shards build` with Debian's crystal (see 2. above)
prepare_build() {
  mkdir -p "$1/bin"
  cp "$compat" "$1/bin/compat.cr"
  cp "$here/upstream/compat_spec.cr" "$1/bin/compat_spec.cr"
  printf 'require "./compat"\nrequire "../src/main"\n' > "$1/bin/main_compat.cr"
}

echo "machine: $(nproc) cores, $(crystal --version | sed -n 1p), $(git --version), $(java -version 2>&1 | sed -n 1p)"
"$bq2" --version >/dev/null # builds the jar once, outside the timed stages
stage "1. clone $git_dir"
clone "$repo"
base=$(git -C "$repo" rev-parse HEAD)
echo "   HEAD $(git -C "$repo" log -1 --format='%h %s')"
[ -z "$(git -C "$repo" status --porcelain)" ] || fail "the clone is not clean"
took

stage "2. build the upstream tool: $build_cmd"
prepare_build "$repo"
(cd "$repo" && $build_cmd)
took

stage "3. the real plan: bin/bq2 sysroot-plan-write --workdir=$hw"
mkdir -p "$rootfs"; echo bq2-rootfs > "$rootfs/.bq2-rootfs"
(cd "$repo" && bin/bq2 sysroot-plan-write --workdir="$hw")
cp "$rootfs/var/lib/sysroot-build-plan.json" "$work/plan-before.json"
took

stage "4. the override, and the state of the phase completed with it"
cat > "$rootfs/var/lib/sysroot-build-overrides.json" <<'JSON'
{
  "phases": {
    "tools-from-system": {
      "steps": {
        "sqlite": {
          "configure_flags_add": ["--disable-readline"]
        }
      }
    }
  }
}
JSON
python3 - "$rootfs/var/lib" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
digest = lambda f: hashlib.sha256(open(f"{d}/{f}", "rb").read()).hexdigest()
plan = json.load(open(f"{d}/sysroot-build-plan.json"))
done = {}
for ph in plan["phases"]:
    done[ph["name"]] = [s["name"] for s in ph["steps"]]
    if ph["name"] == "tools-from-system":
        break
state = {"format_version": 1, "rootfs_id": "bench0000000000", "created_at": "2026-11-30 00:00:00 UTC",
         "updated_at": "2026-11-30 00:00:00 UTC", "plan_digest": digest("sysroot-build-plan.json"),
         "overrides_digest": digest("sysroot-build-overrides.json"),
         "progress": {"completed_steps": done, "last_success": {"phase": "tools-from-system", "step": done["tools-from-system"][-1],
                      "occurred_at": "2026-11-30 00:00:00 UTC"}}}
json.dump(state, open(f"{d}/sysroot-build-state.json", "w"), indent=2)
print("   completed:", ", ".join(f"{p} ({len(s)})" for p, s in done.items()))
PY
"$bq2" overrides show --rootfs "$rootfs" | sed 's/^/   /'
took

stage "5. bq2 back-annotate"
set +e
BQ2_BENCH_PROMPT=$work/prompt.md "$bq2" back-annotate --rootfs "$rootfs" --repo "$repo" --session-dir "$work/sessions" \
  --arch x86_64 --assistant command --assistant-command "$here/upstream/assistant.sh" \
  --plan-command "$build_cmd && bin/bq2 sysroot-plan-write --workdir=$hw" \
  --check 'crystal tool format --check $(git diff --name-only HEAD -- "*.cr")' \
  --check 'crystal spec bin/compat.cr bin/compat_spec.cr spec/' \
  --command-timeout 60m
rc=$?
set -e
echo "   exit $rc"
took
[ $rc -eq 0 ] || fail "bq2 back-annotate exited $rc"

stage "6. check the result"
[ "$(git -C "$repo" rev-list --count "$base..HEAD")" = 1 ] || fail "not exactly one new commit"
[ "$(git -C "$repo" rev-parse HEAD^)" = "$base" ] || fail "the commit is not on top of $base"
files=$(git -C "$repo" show --format= --name-only HEAD | tr '\n' ' ')
[ "$files" = "spec/sysroot_builder_spec.cr src/sysroot_builder.cr " ] || fail "unexpected files in the commit: $files"
[ -z "$(git -C "$repo" status --porcelain)" ] || fail "the tree is not clean: $(git -C "$repo" status --porcelain)"
for f in sysroot-build-overrides.json sysroot-build-state.json; do
  [ ! -e "$rootfs/var/lib/$f" ] || fail "$f was not archived"
done
echo "   one commit $(git -C "$repo" rev-parse --short HEAD) on $(git -C "$repo" rev-parse --short "$base"): $files; tree clean; overrides and state archived"
git -C "$repo" show --stat HEAD | sed 's/^/   | /'

echo "   rebuilding the tool from a fresh clone of the commit"
clone "$work/verify" >/dev/null
git -C "$work/verify" fetch -q "$repo" HEAD && git -C "$work/verify" reset -q --hard FETCH_HEAD
prepare_build "$work/verify"
(cd "$work/verify" && $build_cmd)
cp "$rootfs/var/lib/sysroot-build-plan.json" "$work/plan-after-bq2.json"
(cd "$work/verify" && bin/bq2 sysroot-plan-write --workdir="$hw" >/dev/null)
cp "$rootfs/var/lib/sysroot-build-plan.json" "$work/plan-regenerated.json"
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
before = json.load(open(f"{w}/plan-before.json"))
for ph in before["phases"]:
    if ph["name"] == "tools-from-system":
        for s in ph["steps"]:
            if s["name"] == "sqlite":
                s["configure_flags"] = s["configure_flags"] + ["--disable-readline"]
regen = json.load(open(f"{w}/plan-regenerated.json"))
bq2 = json.load(open(f"{w}/plan-after-bq2.json"))
assert regen == before, "the rebuilt tool's plan differs from plan + overrides"
assert bq2 == before, "the plan bq2 installed differs from plan + overrides"
print("   the rebuilt tool's plan == plan + overrides == the plan bq2 installed (JSON)")
PY
# upstream's own view: the new code against the original plan is exactly the override
cp "$work/plan-before.json" "$rootfs/var/lib/sysroot-build-plan.json"
(cd "$work/verify" && bin/bq2 sysroot-builder-overrides --workdir="$hw" >/dev/null)
python3 - "$rootfs/var/lib/sysroot-build-overrides.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
steps = {(p, s): v for p, ph in o["phases"].items() for s, v in ph.get("steps", {}).items()}
other = {p: {k: v for k, v in ph.items() if k != "steps"} for p, ph in o["phases"].items()}
assert list(steps) == [("tools-from-system", "sqlite")], steps
assert all(not v for v in other.values()), other
print("   upstream sysroot-builder-overrides (original plan -> new code):", json.dumps(o["phases"]))
PY
rm -f "$rootfs/var/lib/sysroot-build-overrides.json" "$rootfs/var/lib/sysroot-build-state.json"
cp "$work/plan-after-bq2.json" "$rootfs/var/lib/sysroot-build-plan.json"
took
echo "OK: evidence in $work (sessions/*/back-annotate/, prompt.md, plan-*.json)"
