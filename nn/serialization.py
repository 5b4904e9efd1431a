"""Saving and loading a Module's parameters as an .npz file, without pickle.

File layout: a NumPy .npz archive (as `numpy.savez` writes, uncompressed) with one
array per parameter, keyed by its dotted name from `named_parameters()`,
plus two string entries:

* `__nn_format__`: the marker `FORMAT_MARKER`, which distinguishes these
  files from any other .npz;
* `__nn_class__`: the class name of the saved module, shown in errors.

Files are read with `numpy.load(allow_pickle=False)`, so loading a file
never runs code from it.
"""

import os
import tempfile
import zipfile

import numpy as np

FORMAT_MARKER = "autodiff-nn.Module/1"
"""Value of the `__nn_format__` entry in every file that `save_module` writes."""

_FORMAT_KEY = "__nn_format__"
_CLASS_KEY = "__nn_class__"
_RESERVED_KEYS = (_FORMAT_KEY, _CLASS_KEY)


class StateDictError(ValueError):
    """Parameters and stored arrays disagree: missing, unexpected, mis-shaped or mistyped entries.

    The attributes list the offending names: `missing` and `unexpected` are
    lists of names, and `mismatched` is a list of (name, expected, found)
    strings for shape or dtype differences.
    """

    def __init__(self, message, missing=(), unexpected=(), mismatched=()):
        super().__init__(message)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.mismatched = list(mismatched)


class ModelFileError(ValueError):
    """A file is not a model file written by `Module.save` (wrong format or damaged)."""


def check_state_dict(arrays, parameters, module_name, source):
    """Raise StateDictError unless `arrays` has exactly the parameters' names, shapes and dtypes.

    `arrays` maps names to ndarrays and `parameters` maps names to
    Parameters. `source` names where the arrays came from in the message,
    such as "state_dict" or a file path.
    """
    missing = [name for name in parameters if name not in arrays]
    unexpected = [name for name in arrays if name not in parameters]
    mismatched = []
    for name, parameter in parameters.items():
        if name not in arrays:
            continue
        array = arrays[name]
        if array.shape != parameter.shape:
            mismatched.append((name, f"shape {parameter.shape}", f"shape {array.shape}"))
        elif array.dtype != parameter.dtype:
            mismatched.append((name, f"dtype {parameter.dtype}", f"dtype {array.dtype}"))

    if not (missing or unexpected or mismatched):
        return

    problems = []
    if missing:
        problems.append(f"missing entries {missing}")
    if unexpected:
        problems.append(f"unexpected entries {unexpected}")
    for name, expected, found in mismatched:
        problems.append(f"entry {name!r} has {found} but the parameter has {expected}")
    hint = (
        "Build the model with the same architecture and dtype as the one that was saved"
        if source != "state_dict"
        else "Pass one array per name of named_parameters(), with the parameter's shape and dtype"
    )
    raise StateDictError(
        f"cannot load {source} into {module_name}: {'; '.join(problems)}. {hint}.",
        missing, unexpected, mismatched,
    )


def save_module(module, path):
    """Write `module`'s parameters to `path` as an .npz file, atomically.

    The arrays go to a temporary file in the same directory, which is
    flushed, synced to disk and then renamed over `path` with `os.replace`.
    An interrupted save therefore leaves any previous file at `path` intact,
    and the temporary file is removed. `path` is used as given: unlike
    `numpy.savez`, no ".npz" suffix is added.

    Raises:
        FileNotFoundError: the directory of `path` does not exist.
        IsADirectoryError: `path` is a directory.
        OSError: another failure, such as PermissionError for a read-only
            directory. Every message names `path`, not the temporary file.

    >>> import os, tempfile, nn
    >>> model = nn.Linear(2, 1, seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> model.save(path)
    >>> nn.Linear(2, 1, seed=1).load(path).weight.tolist() == model.weight.tolist()
    True
    """
    path = os.fspath(path)
    arrays = {name: parameter.data for name, parameter in module.named_parameters()}
    clashes = [name for name in arrays if name in _RESERVED_KEYS]
    if clashes:
        raise ValueError(f"save: parameter names {clashes} are reserved for the file header; rename the attributes")
    arrays[_FORMAT_KEY] = np.array(FORMAT_MARKER)
    arrays[_CLASS_KEY] = np.array(type(module).__name__)

    directory = _check_save_path(path)
    try:
        descriptor, temporary_path = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
    except OSError as error:
        raise _save_error(error, path, f"cannot create a file in {directory!r}") from error

    try:
        with os.fdopen(descriptor, "wb") as file:
            _write_npz(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file readable by its owner only; give it the mode a plain open() would.
        os.chmod(temporary_path, 0o666 & ~_current_umask())
        os.replace(temporary_path, path)
    except BaseException as error:
        # BaseException too: a KeyboardInterrupt mid-write must not leave a stray file.
        try:
            os.unlink(temporary_path)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            # The error names the temporary file, which the user never asked for.
            raise _save_error(error, path, "writing failed") from error
        raise

    _sync_directory(directory)


def _check_save_path(path):
    """Return the directory that will contain `path`, raising an error that names `path` if it cannot."""
    if os.path.isdir(path):
        raise IsADirectoryError(
            f"cannot save to {path!r}: it is a directory; pass a file path such as "
            f"{os.path.join(path, 'model.npz')!r}"
        )

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(directory):
        raise FileNotFoundError(
            f"cannot save to {path!r}: the directory {directory!r} does not exist; create it first, "
            f"e.g. with os.makedirs({directory!r}, exist_ok=True)"
        )
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"cannot save to {path!r}: {directory!r} is not a directory")
    return directory


def _save_error(error, path, failure):
    """Return an OSError of the same class as `error`, with a message that names the user's path.

    The caller chains `error` as the cause, which keeps its errno and the temporary file's name.
    """
    reason = error.strerror or str(error)
    return type(error)(f"cannot save to {path!r}: {failure} ({reason})")


def _write_npz(file, arrays):
    """Write `arrays` to an open binary file in the layout of numpy.savez.

    numpy.savez takes the entries as keyword arguments, so a parameter named
    "file" or "allow_pickle" would collide with its own arguments. Writing
    the members here takes any name.
    """
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def _current_umask():
    # os.umask can only be read by setting it, so set it back at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sync_directory(directory):
    """Flush the rename to disk, where the platform allows opening a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open directories; the rename is still atomic there.
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems reject fsync on a directory
    finally:
        os.close(descriptor)


def read_arrays(path):
    """Return (class name, {parameter name: ndarray}) from a file written by `save_module`.

    Raises:
        FileNotFoundError: `path` does not exist.
        ModelFileError: the file is not an .npz archive, lacks the format
            marker, has an unknown format version, or contains object arrays
            (which would need pickle).
    """
    path = os.fspath(path)
    not_ours = f"{path!r} is not a model file written by nn.Module.save"
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{not_ours}: NumPy cannot read it as .npz ({error})") from None

    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError(f"{not_ours}: it contains a single .npy array, not an .npz archive")

    with archive:
        arrays = {}
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
                raise ModelFileError(
                    f"{not_ours}: entry {key!r} cannot be read as an array with allow_pickle=False ({error})"
                ) from None
            if not isinstance(arrays[key], np.ndarray):
                # NpzFile returns members that are not .npy files as raw bytes.
                raise ModelFileError(f"{not_ours}: entry {key!r} is not a NumPy .npy array")

    marker = arrays.pop(_FORMAT_KEY, None)
    if marker is None:
        raise ModelFileError(
            f"{not_ours}: the archive has no {_FORMAT_KEY!r} entry (its entries are "
            f"{sorted(arrays)[:10]}). Files from numpy.savez alone can be loaded with "
            "numpy.load and load_state_dict"
        )
    if marker.shape != () or marker.dtype.kind != "U" or str(marker) != FORMAT_MARKER:
        raise ModelFileError(
            f"{path!r} has format marker {marker!r}, expected {FORMAT_MARKER!r}; "
            "it was written by an incompatible version or another program"
        )

    class_entry = arrays.pop(_CLASS_KEY, None)
    class_name = str(class_entry) if class_entry is not None and class_entry.dtype.kind == "U" else "?"
    return class_name, arrays


def load_module(module, path):
    """Load parameters saved by `save_module` into `module` and return `module`.

    Every entry must match a parameter's name, shape and dtype, and every
    parameter must have an entry. Nothing is changed unless all of them do.

    Raises:
        FileNotFoundError: `path` does not exist.
        ModelFileError: the file is not one of ours (see `read_arrays`).
        nn.StateDictError: missing, unexpected, mis-shaped or mistyped
            entries. The message lists every such entry by name.
    """
    path = os.fspath(path)
    class_name, arrays = read_arrays(path)
    parameters = dict(module.named_parameters())
    source = f"{path!r} (saved from a {class_name})"
    check_state_dict(arrays, parameters, type(module).__name__, source=source)

    for name, parameter in parameters.items():
        # An owned, writable copy for in-place optimiser steps, or a NumPy
        # scalar for a 0-d parameter, as autodiff stores 0-d data.
        value = np.array(arrays[name])
        parameter.data = value[()] if value.ndim == 0 else value
    return module
