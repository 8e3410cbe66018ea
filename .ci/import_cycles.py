#!/usr/bin/env python3
"""Lists the import cycles between the files of `src/` (issue 11).

A file imports another when it names a path into it (`use crate::ui::state::App`,
`super::update::flash(..)`, `use super::{cluster::X, msg::Y}`). Test code is left out:
files named `*_tests.rs` and `testkit.rs`, and everything from a file's first
`#[cfg(test)]` module on. Prints each strongly connected component of more than one file,
then the number of cycles; `--edges PREFIX` also prints the edges from files under PREFIX.

Usage: .ci/import_cycles.py [--edges src/ui] [--root src]
Exit status: 0 always (the count is a measurement, not a gate).
"""
import os
import re
import sys


def module_of(root, path):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)


def strip_tests(text):
    m = re.search(r"^\s*#\[cfg\(test\)\]\s*(#\[path[^\]]*\]\s*)?(pub(\([a-z]+\))?\s+)?mod\s", text, re.M)
    return text[: m.start()] if m else text


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def expand(prefix, tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    out = []
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(tree):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(tree[start:i])
            start = i + 1
    parts.append(tree[start:])
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if "{" in part:
            head, rest = part.split("{", 1)
            out += expand(prefix + head, rest[: rest.rfind("}")])
        else:
            out.append(prefix + part.split(" as ")[0].strip())
    return out


def paths_in(text):
    """Every path the file names: `use` trees expanded, `crate::`/`super::`/`self::` paths
    in code, and paths through a name a `use` brought in (`use super::popups;` then
    `popups::help::render`)."""
    paths, aliases = [], {}
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        for full in expand("", m.group(1).replace("\n", " ")):
            paths.append(full)
            name = full.split("::")[-1].strip()
            alias = re.search(r"\bas\s+(\w+)", m.group(1))
            if name and name not in ("*", "self"):
                aliases[name] = full
            elif name == "self":
                head = full.rsplit("::", 1)[0]
                aliases[head.split("::")[-1]] = head
    code = re.sub(r"\buse\s+[^;]+;", "", text)
    paths += re.findall(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+", code)
    for m in re.finditer(r"(?<![:\w])([a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)", code):
        head, rest = m.group(1), m.group(2)
        if head in aliases and head not in ("crate", "super", "self"):
            paths.append(aliases[head] + rest)
    return paths


def resolve(modules, here, path):
    segs = [s.strip() for s in path.split("::") if s.strip()]
    if not segs:
        return None
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] == "self":
        base, segs = list(here), segs[1:]
    elif segs[0] == "super":
        base, segs = list(here), segs
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
    else:
        return None
    full = base + segs
    for n in range(len(full), 0, -1):
        key = tuple(full[:n])
        if key in modules:
            return modules[key]
    return None


def main():
    args = sys.argv[1:]
    root = "src"
    edges_prefix = None
    while args:
        a = args.pop(0)
        if a == "--root":
            root = args.pop(0)
        elif a == "--edges":
            edges_prefix = args.pop(0)
    modules, files = {}, []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(".rs") and not n.endswith("_tests.rs") and n != "testkit.rs":
                p = os.path.join(d, n)
                modules[module_of(root, p)] = p
                files.append(p)
    graph = {f: set() for f in files}
    for f in files:
        here = module_of(root, f)
        text = strip_comments(strip_tests(open(f, encoding="utf-8").read()))
        for p in paths_in(text):
            t = resolve(modules, here, p)
            if t and t != f:
                graph[f].add(t)
    if edges_prefix:
        for f in sorted(files):
            if f.startswith(edges_prefix):
                for t in sorted(graph[f]):
                    print(f"{f} -> {t}")
    sccs = tarjan(graph)
    cycles = [sorted(c) for c in sccs if len(c) > 1]
    cycles.sort(key=lambda c: (-len(c), c))
    for c in cycles:
        print(f"cycle of {len(c)} files:")
        for f in c:
            print(f"  {f}")
    print(f"{len(cycles)} import cycle(s) between files of {root}/")


def tarjan(graph):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(100000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in graph:
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    main()
