"""Per-thread recording state: whether ops are recorded, what nodes keep, the name scope."""

import functools
import inspect
import threading


class _Mode:
    """The recording settings of one thread, changed in place by the setters below.

    Every recorded op reads two or three of them, and one read of a
    thread-local attribute costs about ten reads of this object's slots
    (about 35 ns against 3 ns, CPython 3.11.7 on a 2-core AMD EPYC).
    """

    __slots__ = ("enabled", "scope", "keep_values")

    def __init__(self):
        self.enabled = True  # record ops on tensors that require grad
        self.scope = None  # "/"-joined names of the open name_scope blocks, or None
        self.keep_values = False  # every new node keeps its output (see keep_values)


class _State(threading.local):
    def __init__(self):
        self.mode = _Mode()  # runs once in each thread, so each thread has its own


_state = _State()


# One setter per setting, each returning the previous value: backward()
# and every nn.Module call change a setting, so these stay short.


def _set_enabled(enabled):
    """Turn recording on or off for the current thread and return the previous setting."""
    mode = _state.mode
    previous = mode.enabled
    mode.enabled = bool(enabled)
    return previous


def _set_scope(scope):
    """Set the current thread's name scope and return the previous one."""
    mode = _state.mode
    previous = mode.scope
    mode.scope = scope
    return previous


def _set_keep_values(keep):
    """Turn keep_values on or off for the current thread and return the previous setting."""
    mode = _state.mode
    previous = mode.keep_values
    mode.keep_values = keep
    return previous


def is_grad_enabled():
    """Return True when new ops on tensors that require grad are recorded."""
    return _state.mode.enabled


class _GradMode:
    """Context manager and decorator that sets the recording mode and restores it.

    As in PyTorch 2, `no_grad` and `enable_grad` also decorate without
    parentheses (`@no_grad`), and a decorated generator runs each step in
    the mode.
    """

    mode = True

    def __new__(cls, function=None):
        self = super().__new__(cls)
        if function is None:
            return self
        if not callable(function):
            raise TypeError(f"{cls.__name__}() takes no arguments, or a function to decorate")
        return self(function)

    def __enter__(self):
        self._previous = _set_enabled(self.mode)
        return self

    def __exit__(self, exc_type, exc, tb):
        _set_enabled(self._previous)
        return False

    def _fresh(self):
        """Return a new context manager for the same mode (one per decorated call)."""
        return type(self)()

    def __call__(self, function):
        fresh = self._fresh
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator_wrapper(*args, **kwargs):
                return (yield from _run_generator(function(*args, **kwargs), fresh))

            return generator_wrapper

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with fresh():
                return function(*args, **kwargs)

        return wrapper


def _run_generator(generator, fresh):
    """Drive `generator` so that each of its steps, not the caller's code, runs in the mode."""
    try:
        with fresh():
            response = generator.send(None)
        while True:
            try:
                request = yield response
            except GeneratorExit:
                generator.close()
                raise
            except BaseException as error:  # forward throw() into the wrapped generator
                with fresh():
                    response = generator.throw(error)
            else:
                with fresh():
                    response = generator.send(request)
    except StopIteration as stop:
        return stop.value


class set_grad_enabled(_GradMode):
    """Set recording on or off, as a call, a context manager or a decorator.

    As with torch.set_grad_enabled, `set_grad_enabled(False)` switches
    recording off at once in this thread. In a `with` statement it restores
    the previous mode at the end. `@set_grad_enabled(False)` runs the
    decorated function in that mode without changing the current one.
    """

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = _set_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, function):
        _set_enabled(self._previous)  # decorating must not switch the mode now
        return super().__call__(function)

    def _fresh(self):
        return set_grad_enabled(self.mode)


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
    return _state.mode.scope


class keep_values:
    """Make every op recorded inside the block keep its output value, in this thread.

    By default a graph node keeps only the values that backward reads, as
    in PyTorch. So an intermediate array that the program drops is freed at
    once. Pictures of the graph show "value not kept" for such a node, even
    while the program still references its tensor. Inside
    this block every node keeps its value, which pictures show, at the cost
    of holding every intermediate array until backward. Naming a tensor
    (`t.name = "z"`) keeps its value too.

    >>> import autodiff as ad
    >>> x = ad.tensor([1.0] * 20, requires_grad=True)  # above the 16 elements always kept
    >>> ad.draw_graph((x + 1.0).sum()).source.count("value not kept")
    1
    >>> with ad.keep_values():
    ...     y = (x + 1.0).sum()
    >>> ad.draw_graph(y).source.count("value not kept")
    0
    """

    def __init__(self):
        self._previous = []  # a stack, so that one object can be entered again inside itself

    def __enter__(self):
        self._previous.append(_set_keep_values(True))
        return self

    def __exit__(self, exc_type, exc, tb):
        _set_keep_values(self._previous.pop())
        return False


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
        self._previous = []  # a stack, so that one object can be entered again inside itself

    def __enter__(self):
        outer = _state.mode.scope
        self._previous.append(_set_scope(self.name if outer is None else f"{outer}/{self.name}"))
        return self

    def __exit__(self, exc_type, exc, tb):
        _set_scope(self._previous.pop())
        return False
