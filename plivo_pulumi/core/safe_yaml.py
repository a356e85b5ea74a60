"""YAML parsing in bounded time and memory, for bindings files and simulator seeds.

`yaml.safe_load` builds aliases as shared objects, so a few hundred bytes of nested aliases (a
"billion laughs" document) parse quickly but expand to billions of values as soon as anything walks
them: validation, `json.dumps`, the engine's serialization. Here the document is composed first, its
size with every alias expanded is counted (each distinct node once, so the count is linear in the
text), and a document over the limit, a recursive alias or nesting too deep is refused with a clear
error before anything is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_EXPANDED_NODES = 2_000_000  # about 100,000 bindings entries with a few fields each
MAX_DEPTH = 200


class YAMLLimitError(yaml.YAMLError):
    """The document is valid YAML but too large once aliases are expanded, recursive, or too deep."""


class BoundedSafeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` whose `load()` refuses documents that expand beyond the limits."""

    max_expanded_nodes = MAX_EXPANDED_NODES
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """The composer recurses once per level: refuse past `MAX_DEPTH` levels here, far from
        Python's recursion limit, where any finalizer the garbage collector happens to run would
        fail too (a RecursionError raised there cannot be caught, only reported)."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YAMLLimitError(f"the document is nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def load(self) -> Any:
        try:
            node = self.get_single_node()
        except RecursionError:
            raise YAMLLimitError(f"the document is nested more than {MAX_DEPTH} levels deep") from None
        if node is None:
            return None
        expanded_size(node, self.max_expanded_nodes)
        return self.construct_document(node)


def expanded_size(root: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """The number of nodes of `root` with every alias expanded; raises YAMLLimitError past `limit`,
    on a recursive alias, or deeper than MAX_DEPTH. Iterative, each distinct node computed once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > limit:
                raise YAMLLimitError(
                    f"the document expands to more than {limit:,} values through its aliases (&anchor / "
                    "*alias); write the values out, or split the file"
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YAMLLimitError("an alias refers to a node that contains it (a recursive structure)")
        if depth > MAX_DEPTH:
            raise YAMLLimitError(f"the document is nested more than {MAX_DEPTH} levels deep")
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise YAMLLimitError("an alias refers to a node that contains it (a recursive structure)")
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load(text: str, loader: type[BoundedSafeLoader] = BoundedSafeLoader) -> Any:
    """Parse one YAML (or JSON) document with the limits above."""
    instance = loader(text)
    try:
        return instance.load()
    finally:
        instance.dispose()


__all__ = ["BoundedSafeLoader", "MAX_DEPTH", "MAX_EXPANDED_NODES", "YAMLLimitError", "expanded_size", "load"]
