"""Label text of the nodes: names, shapes, values and gradients.

Value nodes get Graphviz HTML-like labels (`<...>`), so the name can be
bold and the gradient coloured; every piece of user text goes through
`escape_html`. Other labels are DOT quoted strings built with `quote`.
"""

import html

import numpy as np

GRAD_COLOR = "#b22222"
STEP_COLOR = "#c0392b"

# Arrays are wrapped at this many characters per line inside a node.
_LINE_WIDTH = 40

# Op parameters whose text is longer than this are left out of the op label
# (an index array, a long tuple of slices).
_MAX_PARAM_TEXT = 24

# Parameters that only steer the engine's implementation, not the maths.
_HIDDEN_PARAMS = frozenset({"basic"})


def quote(text):
    """Return `text` as a DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def escape_html(text):
    return html.escape(str(text), quote=True)


class Line:
    """One line of an HTML-like label: text plus optional bold, colour and alignment."""

    __slots__ = ("text", "bold", "color", "align")

    def __init__(self, text, bold=False, color=None, align="center"):
        self.text = text
        self.bold = bold
        self.color = color
        self.align = align


def html_label(lines):
    """Join Lines into a Graphviz HTML-like label, `<...>`."""
    parts = []
    for line in lines:
        text = escape_html(line.text)
        if line.bold:
            text = f"<b>{text}</b>"
        if line.color is not None:
            text = f'<font color="{line.color}">{text}</font>'
        # In Graphviz, a <br/> aligns the line that precedes it.
        end = '<br align="left"/>' if line.align == "left" else "<br/>"
        parts.append(text + end)
    return "<" + "".join(parts) + ">"


def shape_text(tensor):
    """Return "(3, 4) float64", or "scalar float64" for a 0-d tensor."""
    shape = "scalar" if tensor.ndim == 0 else str(tensor.shape)
    return f"{shape} {tensor.dtype}"


def format_element(value, format_number):
    """Format one NumPy or Python number: floats with `format_number`, others with str."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return format_number(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return str(value)


def array_lines(array, format_number, max_elements):
    """Return the text lines that show `array`: every element, or a summary when large.

    Up to `max_elements` elements are shown NumPy-style, wrapped over
    several lines for matrices. A larger array gives one line with
    min, mean and max (for bool arrays: how many are True).
    """
    array = np.asarray(array)
    if array.size == 0:
        return ["empty"]
    if array.size > max_elements:
        return [summarize_array(array, format_number)]
    if array.ndim == 0:
        return [format_element(array.item(), format_number)]

    formatter = {"float_kind": lambda x: format_number(float(x) + 0.0)}
    text = np.array2string(array, separator=", ", formatter=formatter, max_line_width=_LINE_WIDTH)
    return text.splitlines()


def summarize_array(array, format_number):
    """Return "min … · mean … · max …" for a non-empty array.

    For float arrays the statistics cover the finite elements, and the count
    of nan and inf elements follows, so that one nan does not hide the rest.
    """
    if array.dtype.kind == "b":
        return f"{int(np.count_nonzero(array))} of {array.size} True"

    finite = array
    suffix = ""
    if array.dtype.kind == "f":
        finite_mask = np.isfinite(array)
        finite = array[finite_mask]
        nan_count = int(np.count_nonzero(np.isnan(array)))
        inf_count = array.size - finite.size - nan_count
        counts = [f"{n} {word}" for n, word in ((nan_count, "nan"), (inf_count, "inf")) if n]
        suffix = " · " + ", ".join(counts) if counts else ""
        if finite.size == 0:
            return f"no finite values{suffix}"

    low = format_element(finite.min(), format_number)
    high = format_element(finite.max(), format_number)
    mean = format_number(float(np.mean(finite, dtype=np.float64)))
    return f"min {low} · mean {mean} · max {high}{suffix}"


def value_lines(tensor, value, options, extra_lines=()):
    """Return the Lines of a value node's label: name, shape, value, grad, then `extra_lines`.

    `value` is None when the graph did not keep it (see `autodiff.node`).
    """
    lines = []
    if tensor.name is not None:
        lines.append(Line(tensor.name, bold=True))
    if options.show_shapes:
        lines.append(Line(shape_text(tensor)))
    if options.show_values:
        if value is None:
            lines.append(Line("value not kept"))
        else:
            lines.extend(_array_block("value", value, options))
    if options.show_grads and tensor.grad is not None:
        lines.extend(_array_block("grad", tensor.grad.data, options, color=GRAD_COLOR))
    lines.extend(extra_lines)
    if not lines:
        # An unnamed tensor with every part switched off still needs a visible node.
        lines.append(Line(" "))
    return lines


def _array_block(title, array, options, color=None):
    """Lines "title x" for one-line text, or "title" then the lines left-aligned."""
    text = array_lines(array, options.format_number, options.max_elements)
    if len(text) == 1:
        return [Line(f"{title} {text[0]}", color=color)]
    return [Line(title, color=color)] + [Line(row, color=color, align="left") for row in text]


def op_text(tensor):
    """Return the primitive's name, plus its short parameters on a second line."""
    params = tensor._params or {}
    shown = []
    for key, value in params.items():
        if key in _HIDDEN_PARAMS or value is None or value is False or isinstance(value, np.ndarray):
            continue
        text = f"{key}={value}"
        if len(text) <= _MAX_PARAM_TEXT:
            shown.append(text)
    if not shown:
        return tensor._op.name
    return tensor._op.name + "\n" + ", ".join(shown)
