#!/usr/bin/env python3
"""Prints a Chrome/Perfetto trace-event file as text: one paragraph per track.

For each (pid, tid) track, named by its `thread_name` metadata (and the process by its
`process_name`), it lists how often each event name occurs, with the arguments of its first
occurrence, in the order the names first appear. Stdlib only; the course uses it to read the
traces EMVK_TRACE writes without a browser.

Usage: trace_summary.py TRACE.json [MORE.json ...] [--expect NAME ...]
  several files (one per process, say) are read as one trace
  --expect  exit 1 unless some event has this name (repeatable)
"""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        data = json.load(f)
    return data["traceEvents"] if isinstance(data, dict) else data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", nargs="+")
    parser.add_argument("--expect", action="append", default=[])
    args = parser.parse_args()
    events = [e for path in args.traces for e in load(path)]

    processes, threads, tracks = {}, {}, {}
    for e in events:
        key = (e.get("pid", 0), e.get("tid", 0))
        if e.get("ph") == "M":
            name = e.get("args", {}).get("name", "")
            if e.get("name") == "process_name":
                processes[key[0]] = name
            elif e.get("name") == "thread_name":
                threads[key] = name
            continue
        if e.get("ph") == "E":
            continue  # the end of a B event: counted once, at its beginning
        track = tracks.setdefault(key, {})
        entry = track.setdefault(e.get("name", "?"), [0, e.get("args"), e.get("ph")])
        entry[0] += 1

    print(f"{', '.join(args.traces)}: {len(events)} events on {len(tracks)} tracks")
    for key in sorted(tracks, key=lambda k: (k[0], threads.get(k, ""), k[1])):
        pid, tid = key
        title = threads.get(key, f"thread {tid}")
        process = processes.get(pid, f"pid {pid}")
        print(f"\n{title}  ({process}, pid {pid}, tid {tid})")
        for name, (count, first_args, ph) in tracks[key].items():
            shown = json.dumps(first_args, separators=(",", ":")) if first_args else ""
            if len(shown) > 90:
                shown = shown[:87] + "..."
            print(f"  {count:5} x {name:<24} [{ph}] {shown}")

    names = {e.get("name") for e in events}
    missing = [n for n in args.expect if n not in names]
    if missing:
        print(f"\ntrace_summary: no event named {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
