#!/usr/bin/env bash
# The screenshots in docs/: the window tour (scripts/window_tour.py) on its own Xvfb at 1366x768 and
# at 1920x1080, after real runs. Take them on a quiet machine and look at every one before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
for size in 1366x768 1920x1080; do
    xvfb-run --auto-servernum --server-args="-screen 0 ${size}x24" \
        env QT_QPA_PLATFORM=xcb PYTHONPATH=. python scripts/window_tour.py --shots docs --json "/tmp/ovgui-tour-${size}.json"
done
