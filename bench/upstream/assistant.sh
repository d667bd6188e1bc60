#!/bin/sh
# Stand-in for the model in bench/upstream-back-annotate.sh: bq2 runs it in the builder repo
# with the back-annotate prompt on stdin (`--assistant command`). It answers with the edit a model
# makes for the override the bench applies (tools-from-system/sqlite configure_flags_add
# --disable-readline): the flag goes into sqlite's PackageSpec in src/sysroot_builder.cr, and a
# spec locks it in (the seeds' back-annotation steps 1 and 2). It refuses a prompt that does not
# ask for that, so a wrong prompt shows up as a failed edit, not as a lucky patch.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prompt=$(cat)
[ -n "${BQ2_BENCH_PROMPT:-}" ] && printf '%s\n' "$prompt" > "$BQ2_BENCH_PROMPT"
for want in tools-from-system sqlite --disable-readline PackageSpec.configure_flags; do
  case $prompt in
    *"$want"*) ;;
    *) echo "the prompt does not mention $want" >&2; exit 1 ;;
  esac
done
git apply --whitespace=nowarn "$here/sqlite-disable-readline.patch"
echo "Added --disable-readline to sqlite's configure_flags in src/sysroot_builder.cr and a spec in spec/sysroot_builder_spec.cr."
