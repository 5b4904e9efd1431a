"""Build the DOT text of a graph: every node, name scopes collapsed, or a summary.

The text depends only on the graph's structure, values and the options:
node ids come from the traversal order (see `autodiff.draw.graph`), never
from `id()`, so drawing the same computation twice gives the same text.
"""

import textwrap
from collections import Counter

from autodiff.draw.graph import op_id, value_id
from autodiff.draw.labels import Line, html_label, op_text, quote, shape_text, value_lines
from autodiff.draw.layout import dot_node_count, estimate_size, layered_positions

# Node styles. Parameters (leaves that require grad), constants,
# intermediates and the output differ in fill, border and line style, so
# the four kinds stay apart in greyscale print as well.
STYLES = {
    "parameter": {"shape": "box", "style": "rounded,filled", "fillcolor": "#cfe2f3",
                  "color": "#3d6fa5"},
    "constant": {"shape": "box", "style": "filled,dashed", "fillcolor": "#f2f2f2",
                 "color": "#8c8c8c", "fontcolor": "#444444"},
    "intermediate": {"shape": "box", "style": "rounded", "color": "#555555"},
    "output": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#fde4c2",
               "color": "#b35900", "penwidth": "2"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff6d5", "color": "#8a7a3d",
           "fontsize": "10", "margin": "0.05,0.02"},
    "group": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e2efda",
              "color": "#4f7a28", "penwidth": "1.5"},
    "note": {"shape": "note", "style": "filled", "fillcolor": "#fffbe6", "color": "#b59f3b"},
}

# Binary ops whose inputs can be swapped; the inputs of every other op with
# two or more inputs get their argument position on the edge.
_SYMMETRIC_OPS = frozenset({"add", "multiply", "maximum", "minimum"})

# Parameters listed by name inside a collapsed scope's box.
_LISTED_PARAMETERS = 4

# Scope names listed in the summary note.
_LISTED_SCOPES = 8

# Characters per line in a note.
_NOTE_WIDTH = 64


class Annotations:
    """Additions that the backprop walk-through makes to a drawing.

    value_lines: Tensor -> extra label Lines; value_attrs: Tensor -> DOT
    attributes that override the node's style; edge_attrs: (consumer
    Tensor, input position) -> DOT attributes of that input's edge;
    title: a caption for the whole picture.
    """

    def __init__(self):
        self.value_lines = {}
        self.value_attrs = {}
        self.edge_attrs = {}
        self.title = None


class Source:
    """The result of `build_source`: DOT text and how to render it.

    mode: "full", "scopes" or "summary"; warning: the text of the warning
    to emit, or None; engine: the Graphviz program that renders the text;
    positioned: True when autodiff placed the nodes, so Graphviz must
    keep their positions (`neato -n2`).
    """

    __slots__ = ("text", "mode", "warning", "engine", "positioned")

    def __init__(self, text, mode, warning, engine, positioned):
        self.text = text
        self.mode = mode
        self.warning = warning
        self.engine = engine
        self.positioned = positioned


def value_kind(tensor, output):
    """Return "output", "parameter", "constant" or "intermediate"."""
    if tensor is output:
        return "output"
    if tensor._op is None:
        return "parameter" if tensor.requires_grad else "constant"
    return "intermediate"


def build_source(graph, options, caller, annotations=None):
    """Return the Source for `graph`, respecting `options.max_nodes`.

    A graph with more nodes than max_nodes is drawn with each name scope
    collapsed into one box, at the deepest scope level that fits. When no
    level fits, or no tensor has a scope, only a summary note and the
    output are drawn. Both cases set `warning`.
    """
    annotations = annotations or Annotations()
    limit = options.max_nodes
    total = graph.node_count
    if limit is None or total <= limit:
        picture = _full_picture(graph, options, annotations)
        return _emit(picture, "full", None, options, annotations)

    head = (
        f"{caller}(): the graph has {total:,} nodes ({len(graph.tensors):,} tensors and "
        f"{graph.op_count:,} ops), more than max_nodes={limit}"
    )
    consumers = graph.consumers()
    depths = [t.scope.count("/") + 1 for t in graph.tensors if t.scope is not None]
    for depth in range(max(depths, default=0), 0, -1):
        plan = _ScopePlan(graph, depth, consumers)
        if plan.node_count <= limit:
            warning = (
                f"{head}, so each name scope at depth {depth} is drawn as one box; "
                "pass max_nodes=None to draw every node"
            )
            picture = _scopes_picture(graph, plan, options, annotations, warning)
            return _emit(picture, "scopes", warning, options, annotations)

    hint = "" if depths else (
        ", or build the model inside autodiff.name_scope blocks so that scopes can be collapsed"
    )
    warning = (
        f"{head}, so only a summary of the op counts is drawn; pass max_nodes=None to "
        f"draw every node{hint}"
    )
    picture = _summary_picture(graph, options, annotations, warning)
    return _emit(picture, "summary", warning, options, annotations)


# ----- nodes, edges and the DOT text ------------------------------------------


class _Raw(str):
    """An attribute value written as is: an HTML-like label `<...>`."""


class _Picture:
    """Nodes and edges before they become DOT text.

    nodes: (id, attributes, scope) in drawing order, where scope names the
    cluster of the node or is None; edges: (source id, target id,
    attributes).
    """

    def __init__(self):
        self.nodes = []
        self.edges = []


def _attributes(attributes):
    parts = []
    for key, value in attributes.items():
        text = value if isinstance(value, _Raw) else quote(value)
        parts.append(f"{key}={text}")
    return "[" + ", ".join(parts) + "]"


def _emit(picture, mode, warning, options, annotations):
    """Write the DOT text of `picture`; place the nodes first when the fast layout is on."""
    node_ids = [node_id for node_id, _, _ in picture.nodes]
    edges = [(source, target) for source, target, _ in picture.edges]
    positioned = options.use_fast_layout(lambda: dot_node_count(node_ids, edges))
    graph_attributes = {
        "rankdir": options.rankdir, "fontname": "Helvetica", "fontsize": "11",
        "nodesep": "0.25", "ranksep": "0.3",
    }
    if annotations.title is not None:
        title = [Line(text, align="left") for text in annotations.title.splitlines()]
        graph_attributes.update(label=_Raw(html_label(title)), labelloc="t", labeljust="l")
    if positioned:
        # Straight edges drawn under the nodes: routing splines around
        # thousands of fixed nodes would undo the time saved.
        graph_attributes.update(splines="line", outputorder="edgesfirst")

    lines = [
        "digraph autodiff {",
        f"  graph {_attributes(graph_attributes)};",
        '  node [fontname="Helvetica", fontsize="11"];',
        '  edge [fontname="Helvetica", fontsize="9", color="#555555", arrowsize="0.7"];',
    ]

    if positioned:
        sizes = {node_id: estimate_size(attributes["label"], attributes["shape"])
                 for node_id, attributes, _ in picture.nodes}
        positions = layered_positions(sizes, edges, options.rankdir)
        for node_id, attributes, _ in picture.nodes:
            x, y = positions[node_id]
            placed = dict(attributes, pos=f"{x:.1f},{y:.1f}!")
            lines.append(f"  {node_id} {_attributes(placed)};")
    else:
        # The fast layout has no clusters, because `neato -n2` does not draw them.
        by_scope = {None: []}
        for node_id, attributes, scope in picture.nodes:
            depth = 0 if scope is None else scope.count("/") + 1
            statement = f"{'  ' * (depth + 1)}{node_id} {_attributes(attributes)};"
            by_scope.setdefault(scope, []).append(statement)
        lines.extend(by_scope[None])
        lines.extend(_cluster_blocks(by_scope))

    for source, target, attributes in picture.edges:
        suffix = " " + _attributes(attributes) if attributes else ""
        lines.append(f"  {source} -> {target}{suffix};")
    lines.append("}")

    engine = "neato" if positioned else options.engine
    return Source("\n".join(lines) + "\n", mode, warning, engine, positioned)


def _cluster_blocks(by_scope):
    """Nest a `subgraph cluster_N` per scope, each inside its parent scope's cluster.

    Clusters are numbered in the order their scopes first appear, and the
    nesting is walked with an explicit stack.
    """
    children = {None: []}
    for scope in by_scope:
        if scope is None:
            continue
        parts = scope.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            parent = "/".join(parts[:depth - 1]) or None
            if path not in children:
                children[path] = []
                children[parent].append(path)

    cluster_ids = {path: n for n, path in enumerate(p for p in children if p is not None)}
    lines = []
    stack = [(path, False) for path in reversed(children[None])]
    while stack:
        path, closing = stack.pop()
        indent = "  " * (path.count("/") + 1)
        if closing:
            lines.append(f"{indent}}}")
            continue

        label = path.rsplit("/", 1)[-1]
        lines.append(f"{indent}subgraph cluster_{cluster_ids[path]} {{")
        lines.append(
            f'{indent}  graph [label={quote(label)}, tooltip={quote(path)}, '
            'style="rounded,dashed", color="#7f7f7f", fontcolor="#4d4d4d", labeljust="l"];'
        )
        lines.extend(by_scope.get(path, ()))
        stack.append((path, True))
        stack.extend((child, False) for child in reversed(children[path]))
    return lines


def _add_value_node(picture, graph, k, options, annotations, scope=None):
    tensor = graph.tensors[k]
    kind = value_kind(tensor, graph.output)
    lines = value_lines(tensor, graph.value(tensor), options,
                        annotations.value_lines.get(tensor, ()))
    attributes = dict(STYLES[kind])
    attributes["label"] = _Raw(html_label(lines))
    attributes["tooltip"] = kind if tensor.name is None else f"{kind} {tensor.name}"
    attributes.update(annotations.value_attrs.get(tensor, {}))
    picture.nodes.append((value_id(k), attributes, scope))


def _add_op_node(picture, graph, k, scope=None):
    attributes = dict(STYLES["op"])
    attributes["label"] = op_text(graph.tensors[k])
    picture.nodes.append((op_id(k), attributes, scope))


def _add_note(picture, texts):
    rows = []
    for text in texts:
        indent = text[:len(text) - len(text.lstrip())]
        rows.extend(textwrap.wrap(text, _NOTE_WIDTH, subsequent_indent=indent + "  ") or [""])
    attributes = dict(STYLES["note"])
    attributes["label"] = _Raw(html_label([Line(row, align="left") for row in rows]))
    picture.nodes.append(("note", attributes, None))


# ----- every node ------------------------------------------------------------


def _full_picture(graph, options, annotations):
    picture = _Picture()
    for k, tensor in enumerate(graph.tensors):
        scope = tensor.scope if options.cluster_scopes else None
        _add_value_node(picture, graph, k, options, annotations, scope)
        if tensor._op is not None:
            _add_op_node(picture, graph, k, scope)

    for k, tensor in enumerate(graph.tensors):
        if tensor._op is None:
            continue
        parents = tensor._parents
        show_position = len(parents) > 1 and tensor._op.name not in _SYMMETRIC_OPS
        for position, parent in enumerate(parents):
            attributes = {"headlabel": str(position)} if show_position else {}
            attributes.update(annotations.edge_attrs.get((tensor, position), {}))
            picture.edges.append((value_id(graph.index[parent]), op_id(k), attributes))
        picture.edges.append((op_id(k), value_id(k), {}))
    return picture


# ----- scopes collapsed into boxes --------------------------------------------


class _ScopePlan:
    """The assignment of tensors and ops to the scope boxes they collapse into at `depth`.

    A non-leaf tensor and its op go into the box of its scope's first
    `depth` parts. A leaf goes into its own scope's box. A leaf without a
    scope, such as a parameter made outside any name_scope, joins the box
    of the ops that use it when they all share one box. The output is
    always drawn as its own node, so its value stays visible.
    """

    def __init__(self, graph, depth, consumers):
        self.op_group = {}
        self.value_group = {}
        for tensor in graph.tensors:
            if tensor._op is not None and tensor.scope is not None:
                self.op_group[tensor] = _scope_prefix(tensor.scope, depth)

        for tensor in graph.tensors:
            if tensor is graph.output:
                continue
            if tensor._op is not None:
                group = self.op_group.get(tensor)
            elif tensor.scope is not None:
                group = _scope_prefix(tensor.scope, depth)
            else:
                groups = {self.op_group.get(c) for c in consumers[tensor]}
                group = groups.pop() if len(groups) == 1 else None
            if group is not None:
                self.value_group[tensor] = group

        self.groups = list(dict.fromkeys(
            [*self.value_group.values(), *self.op_group.values()]
        ))
        self.group_ids = {group: f"g{n}" for n, group in enumerate(self.groups)}
        loose_values = len(graph.tensors) - len(self.value_group)
        loose_ops = sum(1 for t in graph.tensors if t._op is not None and t not in self.op_group)
        self.node_count = len(self.groups) + loose_values + loose_ops + 1  # + the note

    def value_site(self, graph, tensor):
        group = self.value_group.get(tensor)
        return value_id(graph.index[tensor]) if group is None else self.group_ids[group]

    def op_site(self, graph, tensor):
        group = self.op_group.get(tensor)
        return op_id(graph.index[tensor]) if group is None else self.group_ids[group]


def _scope_prefix(scope, depth):
    return "/".join(scope.split("/")[:depth])


def _scopes_picture(graph, plan, options, annotations, warning):
    picture = _Picture()
    _add_note(picture, [warning])

    members = {group: [] for group in plan.groups}
    for tensor, group in plan.value_group.items():
        members[group].append(tensor)
    ops = {group: Counter() for group in plan.groups}
    for tensor, group in plan.op_group.items():
        ops[group][tensor._op.name] += 1
    for group in plan.groups:
        attributes = dict(STYLES["group"])
        attributes["label"] = _Raw(html_label(_group_lines(group, ops[group], members[group])))
        attributes["tooltip"] = f"scope {group}"
        picture.nodes.append((plan.group_ids[group], attributes, None))

    for k, tensor in enumerate(graph.tensors):
        if tensor not in plan.value_group:
            _add_value_node(picture, graph, k, options, annotations)
        if tensor._op is not None and tensor not in plan.op_group:
            _add_op_node(picture, graph, k)

    # One edge per pair of drawn nodes. An edge that leaves a box is
    # labelled with the shapes of the tensors it carries, which are not drawn.
    edges = {}
    for tensor in graph.tensors:
        if tensor._op is None:
            continue
        target = plan.op_site(graph, tensor)
        for parent in dict.fromkeys(tensor._parents):
            source = plan.value_site(graph, parent)
            if source != target:
                shapes = edges.setdefault((source, target), [])
                if parent in plan.value_group:
                    shapes.append(shape_text(parent))
        made = plan.value_site(graph, tensor)
        if made != target:
            edges.setdefault((target, made), [])
    for (source, target), shapes in edges.items():
        shapes = list(dict.fromkeys(shapes))
        label = ", ".join(shapes[:3]) + (", …" if len(shapes) > 3 else "")
        picture.edges.append((source, target, {"label": label} if label else {}))
    return picture


def _group_lines(group, op_counts, members):
    lines = [Line(group, bold=True)]
    total = sum(op_counts.values())
    if total:
        names = ", ".join(name for name, _ in op_counts.most_common(5))
        more = ", …" if len(op_counts) > 5 else ""
        lines.append(Line(f"{total} op{'s' if total != 1 else ''}: {names}{more}"))

    parameters = [t for t in members if t._op is None and t.requires_grad]
    if parameters:
        listed = [f"{t.name or 'unnamed'} {t.shape}" for t in parameters[:_LISTED_PARAMETERS]]
        more = len(parameters) - len(listed)
        text = "parameters: " + ", ".join(listed) + (f" and {more} more" if more else "")
        lines.append(Line(text))

    constants = sum(1 for t in members if t._op is None and not t.requires_grad)
    if constants:
        lines.append(Line(f"{constants} constant{'s' if constants != 1 else ''}"))
    return lines


# ----- summary only -----------------------------------------------------------


def _summary_picture(graph, options, annotations, warning):
    note = [warning, "", "ops by primitive:"]
    note += [f"  {name} × {count:,}" for name, count in graph.op_counts().most_common()]

    leaves = [t for t in graph.tensors if t._op is None]
    parameters = [t for t in leaves if t.requires_grad]
    elements = sum(t.size for t in parameters)
    note.append(f"parameters: {len(parameters):,} tensors, {elements:,} elements")
    note.append(f"constants: {len(leaves) - len(parameters):,} tensors")

    scopes = Counter(t.scope.split("/")[0] for t in graph.tensors
                     if t._op is not None and t.scope is not None)
    if scopes:
        listed = [f"{name} ({count:,} ops)" for name, count in scopes.most_common(_LISTED_SCOPES)]
        more = len(scopes) - len(listed)
        note.append("scopes: " + ", ".join(listed) + (f" and {more} more" if more else ""))

    picture = _Picture()
    _add_note(picture, note)
    output_k = graph.index[graph.output]
    _add_value_node(picture, graph, output_k, options, annotations)
    picture.edges.append(("note", value_id(output_k), {"style": "dashed", "arrowhead": "none"}))
    return picture
