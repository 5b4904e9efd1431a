"""Switch graph recording on and off, per thread."""

import functools
import threading

_state = threading.local()


def is_grad_enabled():
    """Return True when new ops on tensors that require grad are recorded."""
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode):
    """Turn recording on or off for the current thread and return the previous mode."""
    previous = is_grad_enabled()
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
