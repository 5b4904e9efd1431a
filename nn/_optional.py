"""Imports of the optional packages of the `nn` extra, with an install hint when missing."""

import importlib


def import_optional(module_name, purpose):
    """Import and return `module_name`, or raise ImportError saying how to install it.

    `purpose` completes the message, e.g. "the progress bar of nn.fit".
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        package = module_name.split(".")[0]
        raise ImportError(
            f"{purpose} needs {package}, which cannot be imported ({error}). Install it with "
            f"`pip install {package}`, or install this package with its nn extra: "
            "`pip install 'autodiff-nn[nn]'`"
        ) from error
