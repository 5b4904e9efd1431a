"""Ops that move elements without changing them: reshape, transpose, indexing, joins."""

import operator

import numpy as np

from autodiff import primitives as P
from autodiff.ops._common import normalize_axis, normalize_position
from autodiff.tensor import Tensor, apply, as_tensor


def reshape(a, shape):
    """View `a` with a new shape; one dimension may be -1, as in NumPy."""
    a = as_tensor(a)
    if not isinstance(shape, tuple):
        shape = tuple(shape) if isinstance(shape, (list, np.ndarray)) else (shape,)
    for n in shape:
        if isinstance(n, bool) or not hasattr(n, "__index__"):
            raise TypeError(f"reshape: the shape must contain ints, got {shape!r}")
    shape = tuple(n.__index__() for n in shape)
    if shape == a.shape:
        return a
    return apply(P.reshape, (a,), {"shape": shape})


def ravel(a):
    return reshape(a, (-1,))


def transpose(a, axes=None):
    """Permute the axes; `axes=None` reverses them. Negative axes count from the end."""
    a = as_tensor(a)
    if axes is not None:
        if not isinstance(axes, (tuple, list)):
            raise TypeError(
                f"transpose: axes must be a sequence of ints such as (1, 0), got {axes!r}; "
                "to exchange two axes use swapaxes"
            )
        axes = tuple(axes)
        if len(axes) != a.ndim:
            raise ValueError(
                f"transpose: axes {axes} do not match a tensor of shape {a.shape}; "
                f"give a permutation of {a.ndim} axes"
            )
        normalized = normalize_axis(axes, a.ndim, "transpose", a.shape)
        axes = tuple(ax % a.ndim for ax in axes)
        del normalized  # only validates range and repeats
    return apply(P.transpose, (a,), {"axes": axes})


def swapaxes(a, axis1, axis2):
    a = as_tensor(a)
    order = list(range(a.ndim))
    i = normalize_position(axis1, a.ndim, "swapaxes", a.shape)
    j = normalize_position(axis2, a.ndim, "swapaxes", a.shape)
    order[i], order[j] = order[j], order[i]
    return apply(P.transpose, (a,), {"axes": tuple(order)})


def moveaxis(a, source, destination):
    """Move axes to new positions; `source` and `destination` are ints or sequences, as in NumPy."""
    a = as_tensor(a)
    sources = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    destinations = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(sources) != len(destinations):
        raise ValueError(
            f"moveaxis: source {source!r} and destination {destination!r} must have the same length"
        )
    sources = [normalize_position(s, a.ndim, "moveaxis", a.shape) for s in sources]
    destinations = [normalize_position(d, a.ndim, "moveaxis", a.shape) for d in destinations]
    for name, positions in (("source", sources), ("destination", destinations)):
        if len(set(positions)) != len(positions):
            raise ValueError(f"moveaxis: repeated axis in {name} {positions}")

    order = [i for i in range(a.ndim) if i not in sources]
    for dest, src in sorted(zip(destinations, sources)):
        order.insert(dest, src)
    return apply(P.transpose, (a,), {"axes": tuple(order)})


def broadcast_to(array, shape):
    array = as_tensor(array)
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    if shape == array.shape:
        return array
    return apply(P.broadcast_to, (array,), {"shape": shape})


def expand_dims(a, axis):
    """Insert length-1 axes at the positions `axis` (an int or a tuple) of the result."""
    a = as_tensor(a)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    ndim = a.ndim + len(axes)
    positions = normalize_axis(axes, ndim, "expand_dims", a.shape)
    shape = iter(a.shape)
    new_shape = tuple(1 if i in positions else next(shape) for i in range(ndim))
    return reshape(a, new_shape)


def squeeze(a, axis=None):
    """Remove length-1 axes: all of them, or those in `axis` (which must have length 1)."""
    a = as_tensor(a)
    if axis is None:
        positions = tuple(i for i, n in enumerate(a.shape) if n == 1)
    else:
        positions = normalize_axis(axis, a.ndim, "squeeze", a.shape)
        for i in positions:
            if a.shape[i] != 1:
                raise ValueError(
                    f"squeeze: axis {i} has length {a.shape[i]}, not 1, in shape {a.shape}; "
                    "only length-1 axes can be removed"
                )
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in positions))


def _normalize_index_item(item):
    # Index arrays are copied: the VJP uses them later, and a caller that
    # reuses its index buffer before backward must not change the gradient.
    if isinstance(item, Tensor):
        item = item.data.copy()
    elif isinstance(item, np.ndarray):
        item = item.copy()
    elif isinstance(item, list):
        item = np.asarray(item)
        if item.size == 0:
            # np.asarray([]) is float64, but x[[]] selects nothing, as in NumPy.
            item = item.astype(np.intp)
    if isinstance(item, np.ndarray) and item.dtype.kind not in "iub":
        raise IndexError(
            f"getitem: index arrays must be integer or bool, got dtype {item.dtype}"
        )
    return item


def _is_basic(index):
    """True when the index uses only ints, slices, None and Ellipsis (no repeats possible)."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, slice):
            continue
        if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            continue
        return False
    return True


def getitem(a, index):
    """a[index] with NumPy's basic and advanced indexing.

    Gradients of repeated integer indices add up (the VJP scatters with
    `np.add.at`).
    """
    a = as_tensor(a)
    if isinstance(index, tuple):
        index = tuple(_normalize_index_item(item) for item in index)
    else:
        index = _normalize_index_item(index)
    return apply(P.getitem, (a,), {"index": index, "basic": _is_basic(index)})


def untake(g, index, shape, basic):
    """Scatter g into zeros of `shape` at `index`: the VJP of getitem."""
    return apply(P.untake, (g,), {"index": index, "shape": tuple(shape), "basic": basic})


def concatenate(arrays, axis=0):
    """Join tensors along an existing axis; axis=None flattens them first."""
    tensors = _as_tensor_sequence(arrays, "concatenate")
    if axis is None:
        tensors = [ravel(t) for t in tensors]
        axis = 0
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_position(axis, first.ndim, "concatenate", first.shape)
    offsets = [0]
    for t in tensors:
        offsets.append(offsets[-1] + (t.shape[axis] if t.ndim > axis else 0))
    return apply(P.concatenate, tuple(tensors), {"axis": axis, "offsets": tuple(offsets)})


def stack(arrays, axis=0):
    """Join tensors of one shape along a new axis."""
    tensors = _as_tensor_sequence(arrays, "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    axis = normalize_position(axis, tensors[0].ndim + 1, "stack", tensors[0].shape)
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def split(ary, indices_or_sections, axis=0):
    """Split into a list of tensors, as `numpy.split`."""
    ary = as_tensor(ary)
    if ary.ndim == 0:
        raise ValueError("split: a 0-d tensor cannot be split")
    axis = normalize_position(axis, ary.ndim, "split", ary.shape)
    length = ary.shape[axis]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections.ndim == 0:
        indices_or_sections = indices_or_sections.item()
    if isinstance(indices_or_sections, (float, np.floating)):
        raise TypeError(
            f"split: indices_or_sections must be an int or a sequence of ints, got "
            f"{indices_or_sections!r}"
        )
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0 or length % sections:
            raise ValueError(
                f"split: axis {axis} of length {length} does not divide into "
                f"{sections} equal sections; pass split indices instead"
            )
        step = length // sections
        bounds = [i * step for i in range(sections + 1)]
    else:
        if isinstance(indices_or_sections, Tensor):
            indices_or_sections = indices_or_sections.data
        try:
            indices = [operator.index(i) for i in np.asarray(indices_or_sections).reshape(-1)]
        except TypeError:
            raise TypeError(
                f"split: indices_or_sections must be an int (number of equal sections) or a "
                f"sequence of int split points, got {indices_or_sections!r}"
            ) from None
        bounds = [0, *indices, length]

    pieces = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        index = (slice(None),) * axis + (slice(start, stop),)
        pieces.append(getitem(ary, index))
    return pieces


def _as_tensor_sequence(arrays, op):
    if isinstance(arrays, (Tensor, np.ndarray)):
        raise TypeError(f"{op}: expected a sequence of tensors, got a single {type(arrays).__name__}")
    tensors = list(arrays)
    if not tensors:
        raise ValueError(f"{op}: need at least one tensor")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [as_tensor(t, like) for t in tensors]
