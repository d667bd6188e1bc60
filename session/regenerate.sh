#!/bin/sh
# Regenerates session/example-demo/: the session journals of a real `./bin/bq2 demo` run (and the
# `bq2 summary` of it), so that people can see what the autopilot writes before they run it.
# The demo runs in a temporary folder; its paths are rewritten as if it had been run from a
# clone in /home/user/bq2 (`./bin/bq2 demo` there writes ./bq2-demo/), so that regenerating
# changes only what really differs between runs: times, pids, durations.
#
#   session/regenerate.sh        # then review and commit session/example-demo/
set -eu
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname -- "$here")
out=$here/example-demo
clone=/home/user/bq2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bq2-example.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
demo=$tmp/bq2-demo

if ! (cd "$tmp" && "$root/bin/bq2" demo --dir "$demo") >"$tmp/demo.out" 2>&1; then
  cat "$tmp/demo.out" >&2
  echo "regenerate: bq2 demo failed (output above); session/example-demo/ is unchanged" >&2
  exit 1
fi
"$root/bin/bq2" summary --rootfs "$demo/rootfs" --repo "$demo/repo" --since 1h >"$tmp/summary.txt"

rm -rf "$out"
mkdir -p "$out"
cp -R "$demo/repo/session/." "$out/"
cp "$tmp/summary.txt" "$out/summary.txt"
# Git keeps only the executable bit; the copies of step logs are 0600 like the logs themselves.
chmod -R u+rwX,go+rX "$out"

# Temp paths (also inside JSON strings and logs) become the clone's; longest first.
find "$out" -type f -exec sed -i -e "s|$demo|$clone/bq2-demo|g" -e "s|$tmp|$clone|g" -e "s|$root|$clone|g" {} +
echo "regenerate: wrote $out:"
(cd "$out" && find . -type f | sort)
