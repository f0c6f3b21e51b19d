#!/usr/bin/env bash
# Print the git revision diff-cover compares against: $DIFF_BASE when set, origin/main when
# HEAD is not on it, otherwise HEAD~1; print nothing on the first commit.
set -euo pipefail
if [ -n "${DIFF_BASE:-}" ]; then
  echo "$DIFF_BASE"
elif git rev-parse -q --verify origin/main >/dev/null \
  && ! git merge-base --is-ancestor HEAD origin/main; then
  echo origin/main
elif git rev-parse -q --verify HEAD~1 >/dev/null; then
  echo HEAD~1
fi
