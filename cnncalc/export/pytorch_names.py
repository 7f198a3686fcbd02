"""Where each row's module sits in the exported `nn.Module`: its name, split at the dots.

A row named `layer1.0.conv1` is the module `conv1` of the container `0` of
the container `layer1`, each container an `nn.ModuleDict`, so that
`named_modules()` lists `layer1`, `layer1.0` and `layer1.0.conv1`, as the
table and torchvision name them. Python reaches it as `self.layer1["0"].conv1`:
a part that is a Python name by attribute, any other by its key (at the top,
where the model is no ModuleDict, `getattr(self, "0")`).

PyTorch cannot register every name as written, so:

- a part that is empty or that every module already has as an attribute
  (`forward`, `training`, `eval`; a ModuleDict's `keys`, `items`…) gets a
  trailing `_`;
- a second row of the same name shares the first's module when neither holds
  a value and both are built alike (torchvision's ResNet applies its `relu`
  twice), and is otherwise `_2`, `_3`…, as cnncalc's own names are; so is a
  part that would be a layer and a container at once.

Each renamed row is listed in the exported module's docstring.
"""

from __future__ import annotations

from typing import NamedTuple

from cnncalc.export.source import identifier, literal

# The attributes of an nn.Module and an nn.ModuleDict (torch 2.x): PyTorch refuses a
# submodule of any of these names ("attribute already exists").
RESERVED = frozenset(
    """
    T_destination add_module apply bfloat16 buffers call_super_init children clear compile
    cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state
    get_parameter get_submodule half ipu items keys load_state_dict modules mtia
    named_buffers named_children named_modules named_parameters parameters pop
    register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook
    register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
    register_parameter register_state_dict_post_hook register_state_dict_pre_hook
    requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train
    training type update values xpu zero_grad
    __annotations__ __call__ __class__ __contains__ __delattr__ __delitem__ __dict__ __dir__
    __doc__ __eq__ __format__ __ge__ __getattr__ __getattribute__ __getitem__ __getstate__
    __gt__ __hash__ __init__ __init_subclass__ __iter__ __le__ __len__ __lt__ __module__
    __ne__ __new__ __reduce__ __reduce_ex__ __repr__ __setattr__ __setitem__ __setstate__
    __sizeof__ __str__ __subclasshook__ __weakref__ _apply _backward_hooks
    _backward_pre_hooks _buffers _call_impl _compiled_call_impl _forward_hooks
    _forward_hooks_always_called _forward_hooks_with_kwargs _forward_pre_hooks
    _forward_pre_hooks_with_kwargs _get_backward_hooks _get_backward_pre_hooks _get_name
    _is_full_backward_hook _load_from_state_dict _load_state_dict_post_hooks
    _load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules _named_members
    _non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook
    _register_state_dict_hook _replicate_for_data_parallel _save_to_state_dict
    _slow_forward _state_dict_hooks _state_dict_pre_hooks _version _wrapped_call_impl
    """.split()  # noqa: SIM905 (words read better as words than as 130 quoted strings)
)

Parts = tuple[str, ...]


class Placed(NamedTuple):
    """Where a module was put: its parts, whether it is one placed before (shared), and
    the containers made for it, outermost first."""

    parts: Parts
    shared: bool
    containers: tuple[Parts, ...]


class _Node:
    """A container's children: each a container (a `_Node`) or a module (its signature:
    how it is built, or None when it holds values and is never shared)."""

    def __init__(self) -> None:
        self.children: dict[str, _Node | str | None] = {}


class Namer:
    """The tree of modules placed so far."""

    def __init__(self) -> None:
        self.root = _Node()

    def place(self, parts: Parts, signature: str | None) -> Placed:
        """Put a module at `parts` (a name split at its dots), or where it can go."""
        parts = tuple(_allowed(part) for part in parts)
        node, placed, made = self.root, [], []
        for part in parts[:-1]:
            if part in node.children and not isinstance(node.children[part], _Node):
                part = _next(part, node, container=True)  # a module has that name
            placed.append(part)
            child = node.children.get(part)
            if not isinstance(child, _Node):
                child = node.children[part] = _Node()
                made.append(tuple(placed))
            node = child
        last = parts[-1]
        if last in node.children:
            if signature is not None and node.children[last] == signature:
                return Placed((*placed, last), True, ())
            last = _next(last, node, container=False)
        node.children[last] = signature
        return Placed((*placed, last), False, tuple(made))


def _allowed(part: str) -> str:
    """A part PyTorch will register: not empty, no attribute of every module."""
    part = part or "_"
    while part in RESERVED:
        part += "_"
    return part


def _next(part: str, node: _Node, container: bool) -> str:
    """`part_2`, `part_3`…: the first that is free in `node` (or a container already,
    when a container is wanted) and allowed."""
    number = 2
    while True:
        candidate = _allowed(f"{part}_{number}")
        child = node.children.get(candidate, False)
        if child is False or (container and isinstance(child, _Node)):
            return candidate
        number += 1


def attribute(part: str) -> bool:
    """Whether a part may be written as an attribute: a Python name, not one a class body
    would mangle (`self.__x` is `self._Model__x` there)."""
    return identifier(part) and not part.startswith("__")


def access(parts: Parts) -> str:
    """How Python reaches the module at `parts` from the model: self.layer1["0"].conv1."""
    first, *rest = parts
    text = f"self.{first}" if attribute(first) else f"getattr(self, {literal(first)})"
    for part in rest:
        text += f".{part}" if attribute(part) else f"[{literal(part)}]"
    return text


def target(parts: Parts) -> tuple[str, str | None]:
    """How __init__ registers a module at `parts`: the head of an assignment
    (`self.layer1["0"].conv1 = `), or, for a top-level name that is no Python name, the
    name to give `self.add_module`."""
    if len(parts) == 1 and not attribute(parts[0]):
        return "", parts[0]
    return access(parts) + " = ", None


def dotted(parts: Parts) -> str:
    return ".".join(parts)
