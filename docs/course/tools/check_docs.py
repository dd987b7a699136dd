#!/usr/bin/env python3
"""Runs every command of the course, as a reader would type it, and checks its links.

Every fenced block whose language is `sh` in docs/course/*.md is one command: it runs in a fresh
`bash -e` from the repository root, with the build in build/, under a time limit. Blocks for
reading only use another language (`text`, `cpp`, `llvm`, ...). A block that needs a feature not
every tree has yet carries a marker on the line before its fence:

    <!-- needs: EMVK_TRACE -->     libemvk.so knows the EMVK_TRACE switch
    <!-- needs: emvk-inspect -->   the build has an emvk-inspect program

Such a block is skipped, and counted, only while its feature is missing. Relative links and
images in the course must name files that exist, and every Mermaid diagram must be followed by
the image rendered from it (docs/course/tools/render_diagrams.mjs).

Usage: check_docs.py [--build DIR] [--timeout SECONDS] [--no-skip] [FILE.md ...]
  --build    the build folder (default: <repo>/build); any other folder is shown to the commands
             as build/ in a scratch copy of the repository's top level (symbolic links)
  --no-skip  fail when a block would be skipped (use once every feature is merged)
Exit status: 0 when every block that ran passed and every link resolves.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
COURSE = REPO / "docs" / "course"
# The pages of docs/ outside the course whose commands are checked too: the tools the course uses.
TOOL_PAGES = [REPO / "docs" / name for name in ("TRACE.md", "PROFILES.md", "INSPECT.md")]
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
NEEDS = re.compile(r"^<!--\s*needs:\s*([\w.-]+)\s*-->$")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def shown(path):
    """A path as the report shows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


class Block:
    def __init__(self, path, line, language, text, needs):
        self.path, self.line, self.language, self.text, self.needs = (
            path, line, language, text, needs)

    def where(self):
        return f"{shown(self.path)}:{self.line}"


def read_blocks(path):
    """Every fenced block of a markdown file, with the feature its marker names (or None)."""
    blocks, lines = [], path.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(2):
            i += 1
            continue
        indent, language, start = m.group(1), m.group(2), i
        previous = next((l.strip() for l in reversed(lines[:start]) if l.strip()), "")
        needs = NEEDS.match(previous)
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        blocks.append(Block(path, start + 1, language, "\n".join(body) + "\n",
                            needs.group(1) if needs else None))
        i += 1
    return blocks


def feature_present(feature, build):
    if feature == "EMVK_TRACE":
        library = build / "icd" / "libemvk.so"
        return library.exists() and b"EMVK_TRACE" in library.read_bytes()
    if feature == "emvk-inspect":
        return any(p.is_file() and os.access(p, os.X_OK) for p in build.rglob("emvk-inspect"))
    raise SystemExit(f"check_docs: unknown feature '{feature}' in a needs marker")


def anchors(markdown):
    """The anchors GitHub makes for a file's headings: lower case, punctuation dropped, spaces
    to hyphens."""
    found, in_fence = set(), False
    for line in markdown.read_text().splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def diagram_image(lines, fence_line):
    """The images/NAME.svg a Mermaid block renders to: the last image within the 6 lines above
    its fence (the image, then the source in a <details> block under it)."""
    for line in reversed(lines[max(0, fence_line - 7):fence_line - 1]):
        m = re.match(r"^!\[[^\]]*\]\((images/[\w.-]+\.svg)\)", line.strip())
        if m:
            return m.group(1)
    return None


def check_links(path, blocks, build):
    """Relative links and images that name no file; Mermaid blocks without their image. A link on
    a line under a needs marker is not checked while that feature is missing (an image the
    feature will make)."""
    problems, lines = [], path.read_text().splitlines()
    in_fence, previous = False, ""
    for number, line in enumerate(lines, 1):
        if FENCE.match(line) or (in_fence and line.strip() == "```"):
            in_fence = not in_fence
            previous = "```"  # a marker belongs to the one element under it
            continue
        if in_fence or not line.strip():
            continue
        needs = NEEDS.match(previous)
        previous = line.strip()
        if needs and not feature_present(needs.group(1), build):
            continue
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file, _, anchor = target.partition("#")
            if not (path.parent / file).exists():
                problems.append(f"{shown(path)}:{number}: link to a missing file: "
                                f"{target}")
            elif anchor and file.endswith(".md") and anchor not in anchors(path.parent / file):
                problems.append(f"{shown(path)}:{number}: {file} has no heading "
                                f"#{anchor}")
    for b in blocks:
        if b.language != "mermaid":
            continue
        image = diagram_image(lines, b.line)
        if not image:
            problems.append(f"{b.where()}: a mermaid block needs its rendered image, "
                            "![...](images/NAME.svg), in the lines just above it")
        elif not (path.parent / image).exists():
            problems.append(f"{b.where()}: {image} is missing: run "
                            "docs/course/tools/render_diagrams.sh")
    return problems


def scratch_root(build):
    """A folder that looks like the repository's top level, with `build` pointing at `build`."""
    root = Path(tempfile.mkdtemp(prefix="emvk-docs-root-"))
    for entry in REPO.iterdir():
        if entry.name != "build":
            (root / entry.name).symlink_to(entry)
    (root / "build").symlink_to(build)
    return root


def run_block(block, cwd, env, timeout):
    """Runs one block in its own process group, so a timeout stops everything it started."""
    start = time.monotonic()
    child = subprocess.Popen(["bash", "-e", "-c", block.text], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        output, _ = child.communicate(timeout=timeout)
        status = f"exit status {child.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        output, _ = child.communicate()
        status = f"no end after {timeout} s: stopped"
    return status, output.decode(errors="replace"), time.monotonic() - start


def run_blocks(blocks, build, cwd, env, timeout):
    """Runs the blocks whose features are present; returns (ran, failed, skipped by feature)."""
    ran, failed, skipped = 0, [], {}
    for b in blocks:
        if b.needs and not feature_present(b.needs, build):
            skipped[b.needs] = skipped.get(b.needs, 0) + 1
            print(f"skip {b.where()} (needs {b.needs})", flush=True)
            continue
        status, output, seconds = run_block(b, cwd, env, timeout)
        ran += 1
        if status == "exit status 0":
            print(f"ok   {b.where()} ({seconds:.1f} s)", flush=True)
            continue
        failed.append(b)
        print(f"FAIL {b.where()} ({seconds:.1f} s): {status}\n"
              f"---- command\n{b.text}---- output (last 60 lines)")
        print("\n".join(output.splitlines()[-60:]))
        print("----", flush=True)
    return ran, failed, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per block")
    parser.add_argument("--no-skip", action="store_true")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    build = args.build.resolve()
    if not (build / "emvk_icd.json").exists():
        sys.exit(f"check_docs: {build}/emvk_icd.json is missing: build emvk first")
    files = [f.resolve() for f in args.files] or sorted(COURSE.glob("*.md")) + TOOL_PAGES

    blocks, problems = [], []
    for f in files:
        found = read_blocks(f)
        problems += check_links(f, found, build)
        blocks += [b for b in found if b.language == "sh"]

    cwd = REPO if build == (REPO / "build").resolve() else scratch_root(build)
    # The commands set VK_DRIVER_FILES themselves, as the reader types them; nothing from the
    # caller's Vulkan setup may make a command pass that would fail for the reader. Implicit layers
    # installed on the machine stay out, as in the test suite, and the disk shader cache goes to a
    # scratch folder instead of the user's home.
    scratch = Path(tempfile.mkdtemp(prefix="emvk-docs-"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VK_", "EMVK_")) or k == "VK_LOADER_LAYERS_DISABLE"}
    env.setdefault("VK_LOADER_LAYERS_DISABLE", "~implicit~")
    env["XDG_CACHE_HOME"] = str(scratch / "cache")

    start = time.monotonic()
    try:
        ran, failed, skipped = run_blocks(blocks, build, cwd, env, args.timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if cwd != REPO:
            shutil.rmtree(cwd, ignore_errors=True)

    for p in problems:
        print(f"LINK {p}")
    seconds = time.monotonic() - start
    skip_text = ", ".join(f"{n} need {f}" for f, n in sorted(skipped.items()))
    summary = f"{ran} blocks ran"
    summary += f", {len(failed)} failed" if failed else ", all passed"
    summary += f"; {sum(skipped.values())} skipped ({skip_text})" if skipped else "; none skipped"
    summary += f"; {len(problems)} link problems" if problems else ""
    print(f"check_docs: {summary}, in {seconds:.1f} s")
    if failed or problems or (args.no_skip and skipped):
        if args.no_skip and skipped:
            print("check_docs: --no-skip: every feature the course needs must be in this tree")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
