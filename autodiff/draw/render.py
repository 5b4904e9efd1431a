"""The picture object: DOT text that renders through Graphviz on demand.

Only rendering needs the `graphviz` Python package and Graphviz's layout
program (`dot` by default). Both are looked up when a picture is first
rendered, so building a drawing and reading its `.source` work without them.
"""

import os
import tempfile
from pathlib import Path

INSTALL_GRAPHVIZ = (
    "install Graphviz: `sudo apt-get install graphviz` on Debian/Ubuntu, "
    "`brew install graphviz` on macOS, or `conda install -c conda-forge graphviz`"
)

# Formats written from the DOT text alone, without running Graphviz.
_TEXT_FORMATS = ("dot", "gv")


class GraphvizNotFoundError(RuntimeError):
    """Raised when rendering needs a Graphviz program that is not installed."""


class Drawing:
    """A picture of a computation graph: DOT text plus Graphviz rendering.

    Attributes:
        source: the DOT text, built by autodiff itself.
        mode: "full" (every node), "scopes" (name scopes collapsed into
            boxes) or "summary" (op counts only); see `max_nodes`.
        op_counts: a Counter of the graph's primitives by name.
        engine: the Graphviz layout program that renders it.
        positioned: True when autodiff placed the nodes itself (the fast
            layout for large graphs), so Graphviz runs `neato -n2`, which
            keeps the given positions.

    In Jupyter the drawing shows inline as SVG. `pipe(format)` returns the
    rendered bytes, and `render(path)` (or `save(path)`) writes a file.
    """

    def __init__(self, source, mode="full", op_counts=None, engine="dot", positioned=False):
        self.source = source
        self.mode = mode
        self.op_counts = op_counts
        self.engine = engine
        self.positioned = positioned
        self._svg = None

    def __repr__(self):
        ops = sum((self.op_counts or {}).values())
        return (
            f"<Drawing: {self.mode} picture of a graph with {ops:,} op{'' if ops == 1 else 's'}; "
            ".source has the DOT text, .render(path) writes a file>"
        )

    def __str__(self):
        return self.source

    # ----- rendering ----------------------------------------------------------

    def pipe(self, format="svg"):
        """Render with Graphviz and return the bytes of `format` ("svg", "png", "pdf", …).

        Raises GraphvizNotFoundError when the layout program is missing, and
        ImportError when the `graphviz` Python package is.
        """
        graphviz = _import_graphviz()
        try:
            source = graphviz.Source(self.source, engine=self.engine)
            return source.pipe(format=format, neato_no_op=2 if self.positioned else None)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(
                f"rendering to {format} needs Graphviz's `{self.engine}` program, which was "
                f"not found on PATH; {INSTALL_GRAPHVIZ}. The DOT text works without it: see "
                ".source, or save it with render('graph.dot')"
            ) from None
        except graphviz.CalledProcessError as error:
            stderr = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else error.stderr
            raise RuntimeError(
                f"Graphviz's `{self.engine}` failed to render {format} (exit status "
                f"{error.returncode}): {(stderr or '').strip()}"
            ) from None

    def svg(self):
        """Return the picture as SVG text (rendered once, then cached)."""
        if self._svg is None:
            self._svg = self.pipe("svg").decode("utf-8")
        return self._svg

    def render(self, path, format=None):
        """Write the picture to `path` and return it as a Path.

        `format` defaults to the file's suffix: "svg", "png", "pdf" or any
        other Graphviz output format, or "dot"/"gv" for the DOT text itself,
        which needs no Graphviz. The file is written to a temporary file in
        the same directory and then renamed over `path`, so a reader never
        sees half a picture and a failed render leaves any old file intact.
        """
        path = Path(path)
        if format is None:
            format = path.suffix.lstrip(".").lower()
            if not format:
                raise ValueError(
                    f"render(): cannot tell the format of {str(path)!r} because it has no "
                    "suffix; pass format='svg', 'png', 'pdf' or 'dot'"
                )

        if format in _TEXT_FORMATS:
            data = self.source.encode("utf-8")
        else:
            data = self.pipe(format)
        _write_atomically(path, data)
        return path

    def save(self, path, format=None):
        """Write the picture to `path` (same as `render`)."""
        return self.render(path, format=format)

    # ----- Jupyter ------------------------------------------------------------

    def _repr_svg_(self):
        # Returning None lets Jupyter fall back to the next representation.
        try:
            return self.svg()
        except (GraphvizNotFoundError, ImportError):
            return None

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Return SVG for Jupyter, or, when Graphviz is missing, the install instructions and the DOT text."""
        try:
            return {"image/svg+xml": self.svg()}
        except (GraphvizNotFoundError, ImportError) as error:
            return {"text/plain": f"{error}\n\n{self.source}"}


def _import_graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "rendering a drawing needs the `graphviz` Python package; install it with "
            "`pip install 'autodiff-nn[draw]'` (or `pip install graphviz`), and the "
            f"Graphviz programs too: {INSTALL_GRAPHVIZ}"
        ) from None
    return graphviz


def _write_atomically(path, data):
    """Write bytes to a temporary file next to `path`, then rename it over `path`."""
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"render(): cannot write {str(path)!r} because the directory {str(directory)!r} "
            "does not exist; create it first"
        )
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the usual mode instead.
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
