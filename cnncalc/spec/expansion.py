"""How many layers a list of raw layers expands to, counted before it is expanded.

Named blocks that use each other twice at each level double with every level:
eighteen lines of YAML would ask for half a million layers. Counting what a
use or a repeat asks for, before reading it, refuses such a spec at once
instead of after reading 100,000 layers.

The count is a lower bound: a `repeat` whose count is a `$parameter` counts
once, and a block that uses itself counts one (that is refused when read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Layers in a spec once repeats and blocks are expanded: a hundred times the largest
# real network, and what every command renders in seconds and in under 512 MiB.
MAX_LAYERS = 100_000


class Counter:
    """Counts expanded layers, remembering each named block's count and each list's."""

    def __init__(self, blocks: Mapping[str, Any], limit: int) -> None:
        self.blocks = blocks  # name -> BlockDef, whose `layers` are raw
        self.limit = limit  # past this, counting stops: the answer is "too many"
        self.named: dict[str, int] = {}
        self.lists: dict[int, int] = {}  # id(raw list) -> its count; aliases share lists
        self.visiting: set[str] = set()

    def of_use(self, name: str) -> int:
        """The layers a use of block `name` reads: itself and everything inside."""
        if name not in self.named:
            if name in self.visiting or name not in self.blocks:
                return 1
            self.visiting.add(name)
            try:
                self.named[name] = 1 + self.of_list(self.blocks[name].layers)
            finally:
                self.visiting.discard(name)
        return self.named[name]

    def of_list(self, raw: Any) -> int:
        if not isinstance(raw, list):
            return 0
        key = id(raw)
        if key not in self.lists:
            total = 0
            for item in raw:
                total += self.of_layer(item)
                if total > self.limit:
                    break
            self.lists[key] = total
        return self.lists[key]

    def of_layer(self, raw: Any) -> int:
        if not isinstance(raw, Mapping) or "type" in raw:
            return 1
        if "use" in raw:
            used = raw["use"]
            return self.of_use(used) if isinstance(used, str) else 1
        if "repeat" in raw:
            times = raw["repeat"]
            times = times if isinstance(times, int) and 0 < times <= self.limit else 1
            return 1 + min(times * self.of_list(raw.get("layers")), self.limit + 1)
        if "residual" in raw:
            return 1 + self.of_list(raw["residual"]) + self.of_list(raw.get("shortcut"))
        for kind in ("multiply", "side"):
            if kind in raw:
                return 1 + self.of_list(raw[kind])
        for kind in ("concat", "split"):
            if kind in raw:
                branches = raw[kind]
                if not isinstance(branches, list):
                    return 1
                return 1 + sum(self.of_list(branch) for branch in branches[: self.limit])
        return 1
