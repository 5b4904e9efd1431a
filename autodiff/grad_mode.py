"""Per-thread recording state: whether ops are recorded, and the current name scope."""

import functools
import threading


class _State(threading.local):
    enabled = True  # record ops on tensors that require grad
    scope = None  # "/"-joined names of the open name_scope blocks, or None


_state = _State()


def is_grad_enabled():
    """Return True when new ops on tensors that require grad are recorded."""
    return _state.enabled


def set_grad_enabled(mode):
    """Turn recording on or off for the current thread and return the previous mode."""
    previous = _state.enabled
    _state.enabled = bool(mode)
    return previous


class _GradMode:
    """Context manager and decorator that sets the recording mode and restores it."""

    mode = True

    def __enter__(self):
        self._previous = set_grad_enabled(self.mode)
        return self

    def __exit__(self, exc_type, exc, tb):
        set_grad_enabled(self._previous)
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Stop recording ops in this thread, as `torch.no_grad` does.

    Results computed inside the block have `requires_grad=False` and no
    history, so they cost no graph memory. Other threads keep recording.

    >>> import autodiff as ad
    >>> w = ad.tensor(2.0, requires_grad=True)
    >>> with ad.no_grad():
    ...     y = w * 3
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradMode):
    """Record ops again inside a `no_grad` block."""

    mode = True


def current_scope():
    """Return the current name scope ("layer1/relu" style), or None outside any."""
    return _state.scope


class name_scope:
    """Tag every tensor made inside the block with a scope name, in this thread.

    Scopes nest: inside name_scope("mlp") and name_scope("0"), new tensors
    get `scope == "mlp/0"`. Pictures of the graph group ops by scope;
    `nn.Module` opens one per call.

    >>> import autodiff as ad
    >>> with ad.name_scope("layer1"):
    ...     z = ad.tensor(1.0) * 2
    >>> z.scope
    'layer1'
    """

    def __init__(self, name):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"name_scope: name must be a non-empty string without '/', got {name!r}")
        self.name = name

    def __enter__(self):
        self._previous = _state.scope
        _state.scope = self.name if self._previous is None else f"{self._previous}/{self.name}"
        return self

    def __exit__(self, exc_type, exc, tb):
        _state.scope = self._previous
        return False
