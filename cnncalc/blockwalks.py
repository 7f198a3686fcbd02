"""How the dimension engine walks each kind of block: a run of layers (read when the walk
reaches it, for a use of a block that reads `in.c`), a residual sum, a multiply, a side
head, a concat and a split. One method a block type, registered in `BLOCK_WALKS`; a test
checks that every block type of `cnncalc.model` has one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cnncalc.flow import At, State, union
from cnncalc.model import (
    Block,
    Concat,
    Deferred,
    LayerSpec,
    Multiply,
    Residual,
    Sequential,
    Side,
    Split,
)
from cnncalc.shapes import Shape
from cnncalc.summary import Branch, Row


class BlockWalks:
    """The engine's walk of blocks; the engine's walker provides `walk` and `_shape`."""

    def walk(
        self, layers: Sequence[LayerSpec], state: State, path: tuple[int, ...], start: int = 0
    ) -> tuple[list[Row], State]:
        raise NotImplementedError

    def _shape(self, shape: Shape) -> str:
        raise NotImplementedError

    def _in_a_row(
        self, layers: Sequence[LayerSpec], state: State, at: At
    ) -> tuple[list[Branch], State]:
        """Layers one after another: what a run, a use and a side head are."""
        rows, out = self.walk(layers, state, at.place)
        return [Branch("layers", tuple(rows), shape=out.shape)], out

    def _sequential(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Sequential)
        return self._in_a_row(block.layers, state, at)

    def _deferred(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Deferred)
        return self._in_a_row(block.layers_for(state.shape), state, at)

    def _residual(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Residual)
        if not block.add:  # the layers alone: torchvision's use_res_connect false
            return self._in_a_row(block.layers, state, at)
        main, out = self.walk(block.layers, state, at.place)
        shortcut, other = self.walk(block.shortcut, state, at.place, len(main))
        if out.shape != other.shape:
            what = "its shortcut gives" if block.shortcut else "its input is"
            raise at.error(
                f"the residual block's layers give {self._shape(out.shape)} but {what} "
                f"{self._shape(other.shape)}; they cannot be added"
            )
        branches = [Branch("layers", tuple(main), shape=out.shape)]
        if shortcut:
            branches.append(Branch("shortcut", tuple(shortcut), shape=other.shape))
        return branches, State(out.shape, *union([out, other]))

    def _multiply(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Multiply)
        rows, gate = self.walk(block.layers, state, at.place)
        if not broadcasts(gate.shape, state.shape):
            raise at.error(
                f"the multiply block's layers give {self._shape(gate.shape)} but its input is "
                f"{self._shape(state.shape)}; they do not broadcast: each axis of the layers' "
                "output, from the last, must be the input's or 1"
            )
        # The product has the input's shape; each of its values depends on the gate's too.
        return [Branch("layers", tuple(rows), shape=gate.shape)], State(
            state.shape, *union([state, gate]), state.padded
        )

    def _side(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Side)
        return self._in_a_row(block.layers, state, at)

    def _concat(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Concat)
        return self._branches(block.branches, [state] * len(block.branches), at, "concat")

    def _split(self, block: Block, state: State, at: At) -> tuple[list[Branch], State]:
        assert isinstance(block, Split)
        channels, count = state.shape[-1], len(block.branches)
        sizes = block.sizes
        if sizes is None:
            if channels % count:
                raise at.error(
                    f"the split block's {count} branches do not divide the input's "
                    f"{channels:,} channels evenly; give sizes: [a, b, …] that add up to them"
                )
            sizes = (channels // count,) * count
        elif sum(sizes) != channels:
            raise at.error(
                f"the split block's sizes {' + '.join(f'{n:,}' for n in sizes)} = "
                f"{sum(sizes):,} do not add up to the input's {channels:,} channels"
            )
        slices = [state._replace(shape=(*state.shape[:-1], size)) for size in sizes]
        return self._branches(block.branches, slices, at, "split")

    def _branches(
        self,
        branches: Sequence[Sequence[LayerSpec]],
        inputs: Sequence[State],
        at: At,
        what: str,
    ) -> tuple[list[Branch], State]:
        """Each branch on its input, the outputs joined along the channels."""
        walked: list[Branch] = []
        outs = []
        count = 0
        for number, (layers, given) in enumerate(zip(branches, inputs, strict=True), 1):
            rows, out = self.walk(layers, given, at.place, count)
            count += len(rows)
            walked.append(Branch("branch", tuple(rows), number, out.shape))
            outs.append(out)
        shapes = [out.shape for out in outs]
        if len({len(shape) for shape in shapes}) > 1 or len({shape[:-1] for shape in shapes}) > 1:
            listed = ", ".join(
                f"branch {number} gives {self._shape(shape)}"
                for number, shape in enumerate(shapes, 1)
            )
            raise at.error(
                f"the {what} block's branches differ in size ({listed}); they can be "
                "joined only along the channels"
            )
        joined = (*shapes[0][:-1], sum(shape[-1] for shape in shapes))
        return walked, State(joined, *union(outs))


Walk = Callable[["BlockWalks", Block, State, At], tuple[list[Branch], State]]


# How each block type is walked; a test checks that every type in `model` has one.
BLOCK_WALKS: dict[type[Block], Walk] = {
    Sequential: BlockWalks._sequential,
    Deferred: BlockWalks._deferred,
    Residual: BlockWalks._residual,
    Concat: BlockWalks._concat,
    Multiply: BlockWalks._multiply,
    Split: BlockWalks._split,
    Side: BlockWalks._side,
}


def broadcasts(gate: Shape, shape: Shape) -> bool:
    """Whether `gate` multiplies into `shape` as NumPy broadcasts: aligned from the last
    axis, each of its axes the same or 1, and no more axes than `shape` has."""
    if len(gate) > len(shape):
        return False
    return all(g in (1, n) for g, n in zip(reversed(gate), reversed(shape), strict=False))
