"""Read back the DOT text that autodiff.draw writes, so tests can check nodes, edges and labels."""

import html
import re

_NODE = re.compile(r"^\s*(\w+) \[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?;$")
_RESERVED = {"graph", "node", "edge"}


def parse_attributes(text):
    """Parse `key="quoted", key=<html>` into a dict (HTML values keep their brackets)."""
    attributes = {}
    i = 0
    while i < len(text):
        match = re.compile(r"\s*(\w+)=").match(text, i)
        assert match, f"expected key= at {text[i:i + 40]!r}"
        key = match.group(1)
        i = match.end()
        if text[i] == '"':
            j = i + 1
            value = []
            while text[j] != '"':
                if text[j] == "\\":
                    value.append({"n": "\n", '"': '"', "\\": "\\"}.get(text[j + 1], "\\" + text[j + 1]))
                    j += 2
                else:
                    value.append(text[j])
                    j += 1
            attributes[key] = "".join(value)
            i = j + 1
        else:
            assert text[i] == "<", f"unexpected value at {text[i:i + 40]!r}"
            depth = 0
            j = i
            while True:
                if text[j] == "<":
                    depth += 1
                elif text[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            attributes[key] = text[i:j + 1]
            i = j + 1
        if i < len(text):
            assert text[i] == ",", f"expected a comma at {text[i:i + 40]!r}"
            i += 1
    return attributes


def parse_dot(source):
    """Return (nodes, edges): {id: attributes} in order, and [(source, target, attributes)]."""
    nodes = {}
    edges = []
    for line in source.splitlines():
        edge = _EDGE.match(line)
        if edge:
            edges.append((edge.group(1), edge.group(2), parse_attributes(edge.group(3) or "")))
            continue
        node = _NODE.match(line)
        if node and node.group(1) not in _RESERVED:
            nodes[node.group(1)] = parse_attributes(node.group(2))
    return nodes, edges


def label_lines(label):
    """Return the plain text lines of a label, HTML-like or quoted."""
    if label.startswith("<") and label.endswith(">"):
        body = label[1:-1]
        rows = re.split(r"<br[^>]*/>", body)
        return [html.unescape(re.sub(r"<[^>]*>", "", row)) for row in rows if row != ""]
    return label.split("\n")


def node_by_name(nodes, name):
    """Return the (id, attributes) of the one value node whose first label line is `name`."""
    found = [(node_id, attributes) for node_id, attributes in nodes.items()
             if label_lines(attributes["label"])[0] == name]
    assert len(found) == 1, f"expected one node named {name!r}, found {len(found)}"
    return found[0]


def line_value(lines, prefix):
    """Return the float after `prefix ` in the label line that starts with it."""
    found = [line for line in lines if line.startswith(prefix + " ")]
    assert len(found) == 1, f"expected one line starting {prefix!r} in {lines}"
    return float(found[0][len(prefix) + 1:])
