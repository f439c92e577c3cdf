#!/usr/bin/env python3
"""The core's components point only down (docs/architecture.md): a file of one component
includes the public headers of its own component and of those listed before it, never of a
later one; jwtflow_net (core/net) includes only public headers (no core/src internal header).
The two arrows that do not point down are named here and in architecture.md; any other fails."""
import os
import re
import sys

ORDER = ["base", "crypto", "settings", "plugin", "jwt", "tokens"]
# Known exceptions (file, the component it reaches): said in docs/architecture.md.
ALLOWED = {("settings/SettingsLoader.h", "plugin"), ("tokens/LoginIdentity.cpp", "plugin"),
           ("tokens/LoginIdentity.cpp", "jwt"), ("tokens/LoginIdentity.h", "plugin"), ("tokens/LoginIdentity.h", "jwt")}


def main(source):
    src = os.path.join(source, "core", "src")
    include = os.path.join(source, "core", "include", "jwtflow")
    # Which component a public header belongs to: the component of the .cpp that implements it.
    owner = {}
    for component in ORDER:
        for name in os.listdir(os.path.join(src, component)):
            base = os.path.splitext(name)[0]
            if os.path.exists(os.path.join(include, base + ".h")):
                owner[base + ".h"] = component
    internal = set()
    for component in ORDER:
        for name in os.listdir(os.path.join(src, component)):
            if name.endswith(".h"):
                internal.add(name)
    problems = []

    def check(path, label, component):
        rank = ORDER.index(component)
        for target in re.findall(r'#include "jwtflow/([A-Za-z0-9]+\.h)"', open(path).read()):
            used = owner.get(target)
            if used and ORDER.index(used) > rank and (label, used) not in ALLOWED:
                problems.append("%s (%s) includes %s (%s), a later component" % (label, component, target, used))

    for component in ORDER:
        folder = os.path.join(src, component)
        for name in sorted(os.listdir(folder)):
            check(os.path.join(folder, name), component + "/" + name, component)
            # The public header of this file's component, checked as the component's.
            header = os.path.join(include, os.path.splitext(name)[0] + ".h")
            if name.endswith(".cpp") and os.path.exists(header):
                check(header, component + "/" + os.path.splitext(name)[0] + ".h", component)
    net = os.path.join(source, "core", "net")
    for name in sorted(os.listdir(net)):
        for target in re.findall(r'#include "([A-Za-z0-9]+\.h)"', open(os.path.join(net, name)).read()):
            if target in internal:
                problems.append("net/%s includes the core's internal header %s" % (name, target))
    for p in problems:
        print("FAIL " + p)
    print("components: %d files checked, %d problems" % (sum(len(os.listdir(os.path.join(src, c))) for c in ORDER), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
