#!/usr/bin/env bash
# The system programs genbook's tests use, from Debian's packages: Jupyter's nbconvert/nbclient (the
# reference Jupyter client the runner is checked against), Jupyter Notebook (the live front end the
# browser test drives), Chromium (the browser tests), Info-ZIP's unzip (unpacks the Gradescope
# autograder zip as an independent reader) and, on Linux, bubblewrap (the grader's OS-level sandbox,
# tools/src/grading/os-sandbox.ts).
# Installs what is missing when run as root with apt-get; otherwise prints the command to run.
# Usage: tools/scripts/system-deps.sh [--check]
set -euo pipefail
need=()
command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1 || need+=(jupyter-nbconvert python3-nbclient python3-ipykernel)
command -v jupyter-notebook >/dev/null 2>&1 || need+=(jupyter-notebook)
[ -n "${GENBOOK_SKIP_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
[ "$(uname -s)" != Linux ] || command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--check" ]; then echo "missing Debian packages: ${need[*]}"; exit 1; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "genbook: installing Debian packages the tests need: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1; then
  echo "genbook: the tests need: sudo apt-get install ${need[*]}" >&2
  exit 1
else
  echo "genbook: the tests need Jupyter (nbconvert + nbclient, Notebook), Chromium and unzip on PATH (and bubblewrap's bwrap on Linux); install them with your package manager (e.g. brew install jupyterlab chromium)." >&2
  exit 1
fi
