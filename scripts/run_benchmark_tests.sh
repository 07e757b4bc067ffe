#!/usr/bin/env bash
# The wall-clock tests (pytest marker `benchmark`), which the default run deselects: ratios of
# timed figures hold only on a quiet machine.  Extra arguments go to pytest (e.g. -k yolov5).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
exec python -m pytest -m benchmark "$@"
