#!/usr/bin/env bash
# Renders a Chrome/Perfetto trace-event JSON file to a PNG with trace_view.html in headless
# Chromium. Installs Debian's chromium with apt-get when it is missing (never from setup.sh: the
# build, the tests and CI do not need it). Needs python3; no network besides apt.
#   trace_screenshot.sh TRACE.json OUT.png [WIDTH]     WIDTH in CSS pixels, default 1600
#   TRACE_WINDOW=submits trace_screenshot.sh ...       only the submissions' stretch of time
# TRACE.json may be several files joined by commas (a.json,b.json): their events are drawn
# together, for example one file per process.
# Example (chapter 2 of the course; needs EMVK_TRACE):
#   VK_DRIVER_FILES=$PWD/build/emvk_icd.json EMVK_TRACE=/tmp/emvk-demo-trace.json \
#     build/docs/examples/external_demo /tmp/emvk-demo.png
#   bash docs/course/tools/trace_screenshot.sh /tmp/emvk-demo-trace.json docs/images/trace-external-demo.png
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 TRACE.json OUT.png [WIDTH]" >&2
  exit 2
fi
trace=$1 out=$2 width=${3:-1600}
tools=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "trace_screenshot: installing chromium (apt-get)" >&2
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The page with the trace inside it: file:// pages may not fetch other files.
python3 - "$tools/trace_view.html" "$trace" "$work/view.html" <<'PY'
import json, os, sys
page, traces, out = sys.argv[1:]
events = []
for trace in traces.split(","):
    with open(trace) as f:
        data = json.load(f)  # refuses a file that is not JSON, with the position
    events += data["traceEvents"] if isinstance(data, dict) else data
# TRACE_WINDOW=submits: only the stretch from the first vkQueueSubmit to the end of the last
# submission a queue ran (a few per cent either side), so that the commands are wide enough to read.
if os.environ.get("TRACE_WINDOW") == "submits":
    starts = [e["ts"] for e in events if e.get("name") == "vkQueueSubmit" and e.get("ph") == "X"]
    ends = [e["ts"] + e["dur"] for e in events if e.get("name") == "submit" and e.get("ph") == "X"]
    if starts and ends:
        lo, hi = min(starts), max(ends)
        lo, hi = lo - (hi - lo) * 0.03, hi + (hi - lo) * 0.03
        kept = []
        for e in events:
            if e.get("ph") == "M":
                kept.append(e)
                continue
            ts, dur = e.get("ts", 0), e.get("dur", 0)
            if ts > hi or ts + dur < lo:
                continue
            if e.get("ph") == "X":
                e = dict(e, ts=max(ts, lo))
                e["dur"] = min(ts + dur, hi) - e["ts"]
            kept.append(e)
        events = kept
embedded = json.dumps({"traceEvents": events}).replace("</", "<\\/")
title = json.dumps(", ".join(os.path.basename(t) for t in traces.split(",")))
html = open(page).read().replace(
    "</head>", f"<script>window.TRACE_DATA = {embedded};\nwindow.TRACE_TITLE = {title};</script>\n</head>", 1)
open(out, "w").write(html)
PY

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --no-first-run --hide-scrollbars
       --user-data-dir="$work/profile")
# First the height the lanes need (the page writes it into <body data-height>), then the picture.
height=$("$chromium" "${flags[@]}" --window-size="$width,1000" --dump-dom "file://$work/view.html" \
           2>/dev/null | sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' | head -1)
if [ -z "$height" ]; then
  echo "trace_screenshot: the viewer drew nothing (is $trace a trace-event file?)" >&2
  exit 1
fi
"$chromium" "${flags[@]}" --window-size="$width,$height" --screenshot="$work/shot.png" \
  "file://$work/view.html" >/dev/null 2>&1
mkdir -p "$(dirname "$out")"
cp "$work/shot.png" "$out"
echo "trace_screenshot: $out (${width}x${height}) from $trace"
