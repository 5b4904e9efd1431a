"""Sacramento home sales: a small regression data set bundled with the package.

The CSV in ``data/sacramento.csv`` has 932 sales and the columns city, zip,
beds, baths, sqft, type, price, latitude and longitude. ``data/README.md``
names its source, licence and units.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.resources
from collections.abc import Sequence

import numpy
import numpy.typing

from nn.datasets._split import check_float_dtype, split_indices

CSV_COLUMNS = ("city", "zip", "beds", "baths", "sqft", "type", "price", "latitude", "longitude")
"""Header of the bundled CSV, in file order."""

NUMERIC_FEATURES = ("sqft", "beds", "baths", "latitude", "longitude")
"""Columns that ``load_housing`` accepts in ``features``, and its default selection."""

HOME_TYPES = ("Residential", "Condo", "Multi_Family")
"""Values of the ``type`` column, in the order of the one-hot feature columns."""

_STRING_COLUMNS = ("city", "zip", "type")


@dataclasses.dataclass(frozen=True)
class HousingData:
    """Train/test split of the Sacramento sales, as returned by ``load_housing``.

    ``n_train + n_test`` is 932 and ``d`` is ``len(feature_names)``. The
    statistics undo the scaling in every configuration. ``X * x_std + x_mean``
    gives the raw features and ``y * y_std + y_mean`` gives the price in US
    dollars. Where scaling is off, the means are 0 and the standard deviations
    are 1.
    """

    X_train: numpy.ndarray
    """Features of the training rows, shape (n_train, d)."""
    y_train: numpy.ndarray
    """Price of the training rows, shape (n_train, 1)."""
    X_test: numpy.ndarray
    """Features of the test rows, shape (n_test, d)."""
    y_test: numpy.ndarray
    """Price of the test rows, shape (n_test, 1)."""
    feature_names: tuple[str, ...]
    """Name of each column of X, for example ``"sqft"`` or ``"type_Condo"``."""
    x_mean: numpy.ndarray
    """Per-column training mean subtracted from X, shape (d,)."""
    x_std: numpy.ndarray
    """Per-column training standard deviation that X was divided by, shape (d,)."""
    y_mean: float
    """Training mean subtracted from the price, in US dollars."""
    y_std: float
    """Training standard deviation that the price was divided by, in US dollars."""


def read_sacramento_csv() -> dict[str, numpy.ndarray]:
    """Read the bundled CSV into one array per column, keyed by column name.

    Each array has shape (932,). city, zip and type are string arrays, and the
    other columns are float64. The file is opened through importlib.resources,
    so it is found inside an installed package too.

    Raises:
        ValueError: the header differs from ``CSV_COLUMNS`` or a numeric cell
            does not parse, which means the packaged file is damaged.
    """
    resource = importlib.resources.files("nn.datasets").joinpath("data", "sacramento.csv")
    with resource.open("r", encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = tuple(next(reader))
        if header != CSV_COLUMNS:
            raise ValueError(
                f"sacramento.csv has header {header}, expected {CSV_COLUMNS}. "
                "The packaged file is damaged, so reinstall the package."
            )
        rows = list(reader)

    columns: dict[str, numpy.ndarray] = {}
    for index, name in enumerate(CSV_COLUMNS):
        cells = [row[index] for row in rows]
        if name in _STRING_COLUMNS:
            columns[name] = numpy.array(cells, dtype=str)
            continue
        try:
            columns[name] = numpy.array([float(cell) for cell in cells], dtype=numpy.float64)
        except ValueError as error:
            raise ValueError(
                f"sacramento.csv column {name!r} contains an invalid number ({error}). "
                "The packaged file is damaged, so reinstall the package."
            ) from error
    return columns


def _check_features(features: Sequence[str] | None) -> tuple[str, ...]:
    if features is None:
        return NUMERIC_FEATURES
    # A bare string is a Sequence too and would be split into characters.
    if isinstance(features, str):
        raise TypeError(f"features must be a sequence of column names, got the string {features!r}")

    selected = tuple(features)
    unknown = [name for name in selected if name not in NUMERIC_FEATURES]
    if unknown:
        hint = " Use one_hot_type=True to include 'type'." if "type" in unknown else ""
        raise ValueError(f"unknown feature names {unknown}. Valid names are {list(NUMERIC_FEATURES)}.{hint}")
    duplicates = sorted({name for name in selected if selected.count(name) > 1})
    if duplicates:
        raise ValueError(f"features lists {duplicates} more than once")
    return selected


def _fit_scaling(train: numpy.ndarray, columns: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Return the mean and population standard deviation of the selected training columns.

    Unselected columns get mean 0 and std 1. A column that is constant on the
    training rows also gets std 1, so it is centred but not divided by zero.
    """
    d = train.shape[1]
    mean = numpy.zeros(d, dtype=numpy.float64)
    std = numpy.ones(d, dtype=numpy.float64)
    mean[columns] = train[:, columns].mean(axis=0)
    column_std = train[:, columns].std(axis=0)
    std[columns] = numpy.where(column_std > 0.0, column_std, 1.0)
    return mean, std


def load_housing(
    features: Sequence[str] | None = None,
    test_fraction: float = 0.2,
    seed: int | numpy.random.Generator = 0,
    standardize: bool = True,
    dtype: numpy.typing.DTypeLike = numpy.float64,
    *,
    one_hot_type: bool = True,
    standardize_target: bool = False,
) -> HousingData:
    """Load the Sacramento sales as a seeded train/test split for price regression.

    Args:
        features: Numeric columns to use, in this order. None selects
            ``NUMERIC_FEATURES``: sqft, beds, baths, latitude, longitude.
            city and zip are not offered because they have 37 and 68 levels
            for 932 rows.
        test_fraction: Share of rows in the test split, strictly between 0
            and 1. The test split has ``round(test_fraction * 932)`` rows,
            which is 186 for the default 0.2.
        seed: An int, or a numpy.random.Generator that is used and advanced.
            The rows are ordered by ``numpy.random.default_rng(seed).permutation(932)``
            and the first ``n_test`` of them form the test split.
        standardize: Subtract the training mean from each numeric feature and
            divide by the training standard deviation (ddof=0). The test rows
            use the same training statistics. One-hot columns stay 0/1.
        dtype: Floating dtype of all returned arrays.
        one_hot_type: Append the indicator columns ``type_Residential``,
            ``type_Condo`` and ``type_Multi_Family`` after ``features``.
            All three are kept, so together with an intercept they are
            collinear. A least-squares solver then needs a rank-tolerant
            method such as numpy.linalg.lstsq.
        standardize_target: Scale the price with its training mean and
            standard deviation too. Off by default, so y is in US dollars.

    Returns:
        A HousingData. X has shape (n, d). y has shape (n, 1) so that it
        matches a model output of shape (n, 1). Against a y of shape (n,),
        ``prediction - y`` would broadcast to (n, n) and the loss would be
        silently wrong. Convert predictions back to dollars with
        ``prediction * data.y_std + data.y_mean``. That formula is correct
        whether or not the target was standardised.

    Raises:
        ValueError: an unknown or repeated feature name, no feature columns
            at all, a ``test_fraction`` outside (0, 1) or one that leaves a
            split empty, or a non-floating ``dtype``.
        TypeError: ``features`` is a single string, ``test_fraction`` is not
            a number, or ``seed`` is neither an int nor a Generator.
    """
    selected = _check_features(features)
    if not selected and not one_hot_type:
        raise ValueError("no feature columns selected. Pass at least one feature name or one_hot_type=True.")
    float_dtype = check_float_dtype(dtype)

    table = read_sacramento_csv()
    n_samples = table["price"].shape[0]
    blocks = [table[name][:, None] for name in selected]
    names = list(selected)
    if one_hot_type:
        for home_type in HOME_TYPES:
            blocks.append((table["type"] == home_type).astype(numpy.float64)[:, None])
            names.append(f"type_{home_type}")
    X = numpy.hstack(blocks)
    y = table["price"][:, None]

    train_rows, test_rows = split_indices(n_samples, test_fraction, seed)
    X_train, X_test = X[train_rows], X[test_rows]
    y_train, y_test = y[train_rows], y[test_rows]

    numeric_columns = numpy.arange(len(selected)) if standardize else numpy.arange(0)
    x_mean, x_std = _fit_scaling(X_train, numeric_columns)
    target_columns = numpy.arange(1) if standardize_target else numpy.arange(0)
    y_mean, y_std = _fit_scaling(y_train, target_columns)

    # Scale in float64 first and cast once, so a float32 result is not computed in float32.
    return HousingData(
        X_train=((X_train - x_mean) / x_std).astype(float_dtype),
        y_train=((y_train - y_mean) / y_std).astype(float_dtype),
        X_test=((X_test - x_mean) / x_std).astype(float_dtype),
        y_test=((y_test - y_mean) / y_std).astype(float_dtype),
        feature_names=tuple(names),
        x_mean=x_mean.astype(float_dtype),
        x_std=x_std.astype(float_dtype),
        y_mean=float(y_mean[0]),
        y_std=float(y_std[0]),
    )
