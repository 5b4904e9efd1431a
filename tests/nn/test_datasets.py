"""Tests for nn.datasets: the bundled Sacramento CSV, load_housing and load_digits."""

import sys

import numpy
import pytest

from nn.datasets import HousingData, load_digits, load_housing
from nn.datasets.housing import CSV_COLUMNS, HOME_TYPES, NUMERIC_FEATURES, read_sacramento_csv

N_SALES = 932
N_DIGITS = 1797


# --- bundled CSV ---


def test_csv_row_count():
    table = read_sacramento_csv()
    for name, column in table.items():
        assert column.shape == (N_SALES,), name


def test_csv_column_names():
    table = read_sacramento_csv()
    assert tuple(table) == CSV_COLUMNS
    assert CSV_COLUMNS == ("city", "zip", "beds", "baths", "sqft", "type", "price", "latitude", "longitude")


def test_csv_has_no_missing_values():
    table = read_sacramento_csv()
    for name in ("beds", "baths", "sqft", "price", "latitude", "longitude"):
        assert not numpy.isnan(table[name]).any(), name
    for name in ("city", "zip", "type"):
        assert (table[name] != "").all(), name


def test_csv_values_in_plausible_ranges():
    table = read_sacramento_csv()
    assert set(table["type"]) == set(HOME_TYPES)
    assert (table["price"] > 0).all()
    assert (table["sqft"] > 0).all()
    # All sales are in the Sacramento area, around 38.6 N, 121.4 W.
    assert ((table["latitude"] > 38.0) & (table["latitude"] < 39.5)).all()
    assert ((table["longitude"] > -122.0) & (table["longitude"] < -120.0)).all()


# --- load_housing: shapes and split ---


def test_housing_default_shapes():
    data = load_housing()
    assert isinstance(data, HousingData)
    assert data.feature_names == NUMERIC_FEATURES + ("type_Residential", "type_Condo", "type_Multi_Family")
    assert data.X_train.shape == (746, 8)
    assert data.X_test.shape == (186, 8)
    assert data.y_train.shape == (746, 1)
    assert data.y_test.shape == (186, 1)
    assert data.x_mean.shape == (8,)
    assert data.x_std.shape == (8,)


@pytest.mark.parametrize(("test_fraction", "n_test"), [(0.2, 186), (0.5, 466), (0.1, 93), (0.9, 839)])
def test_housing_split_sizes(test_fraction, n_test):
    data = load_housing(test_fraction=test_fraction)
    assert data.X_test.shape[0] == n_test
    assert data.X_train.shape[0] == N_SALES - n_test
    assert data.y_test.shape[0] == n_test
    assert data.y_train.shape[0] == N_SALES - n_test


def test_housing_split_covers_every_row_once():
    data = load_housing(standardize=False, one_hot_type=False)
    prices = numpy.concatenate([data.y_train[:, 0], data.y_test[:, 0]])
    assert numpy.array_equal(numpy.sort(prices), numpy.sort(read_sacramento_csv()["price"]))


def test_housing_split_follows_permutation():
    data = load_housing(features=["sqft"], one_hot_type=False, standardize=False, seed=7)
    order = numpy.random.default_rng(7).permutation(N_SALES)
    sqft = read_sacramento_csv()["sqft"]
    assert numpy.array_equal(data.X_test[:, 0], sqft[order[:186]])
    assert numpy.array_equal(data.X_train[:, 0], sqft[order[186:]])


def test_housing_same_seed_reproduces():
    first = load_housing(seed=3)
    second = load_housing(seed=3)
    assert numpy.array_equal(first.X_train, second.X_train)
    assert numpy.array_equal(first.y_train, second.y_train)
    assert numpy.array_equal(first.X_test, second.X_test)
    assert numpy.array_equal(first.y_test, second.y_test)


def test_housing_other_seed_differs():
    first = load_housing(seed=0)
    second = load_housing(seed=1)
    assert not numpy.array_equal(first.y_test, second.y_test)
    assert not numpy.array_equal(first.x_mean, second.x_mean)


def test_housing_accepts_generator_seed():
    from_int = load_housing(seed=5)
    from_generator = load_housing(seed=numpy.random.default_rng(5))
    assert numpy.array_equal(from_int.y_test, from_generator.y_test)


# --- load_housing: scaling ---


def test_housing_train_features_standardized():
    data = load_housing(one_hot_type=False)
    numpy.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    numpy.testing.assert_allclose(data.X_train.std(axis=0), 1.0, rtol=1e-12)


def test_housing_scaling_uses_train_only():
    data = load_housing(one_hot_type=False)
    raw = load_housing(one_hot_type=False, standardize=False)
    numpy.testing.assert_allclose(data.x_mean, raw.X_train.mean(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(data.x_std, raw.X_train.std(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(data.X_test, (raw.X_test - data.x_mean) / data.x_std, rtol=1e-12)
    # Statistics fitted on the test rows would make these exactly 0 and 1.
    assert numpy.abs(data.X_test.mean(axis=0)).max() > 1e-3
    assert numpy.abs(data.X_test.std(axis=0) - 1.0).max() > 1e-3


def test_housing_one_hot_columns_not_scaled():
    data = load_housing()
    one_hot = slice(len(NUMERIC_FEATURES), None)
    for X in (data.X_train, data.X_test):
        assert set(numpy.unique(X[:, one_hot])) == {0.0, 1.0}
        numpy.testing.assert_array_equal(X[:, one_hot].sum(axis=1), 1.0)
    numpy.testing.assert_array_equal(data.x_mean[one_hot], 0.0)
    numpy.testing.assert_array_equal(data.x_std[one_hot], 1.0)


def test_housing_unscaled_is_raw_dollars():
    data = load_housing(standardize=False)
    assert data.y_mean == 0.0
    assert data.y_std == 1.0
    numpy.testing.assert_array_equal(data.x_mean, 0.0)
    numpy.testing.assert_array_equal(data.x_std, 1.0)
    assert data.y_train.min() >= 30000.0
    assert data.X_train[:, 0].max() > 1000.0  # sqft, unscaled


def test_housing_target_kept_in_dollars_by_default():
    data = load_housing()
    raw = load_housing(standardize=False)
    numpy.testing.assert_array_equal(data.y_train, raw.y_train)
    assert data.y_mean == 0.0
    assert data.y_std == 1.0


def test_housing_standardize_target_round_trips():
    data = load_housing(standardize_target=True)
    raw = load_housing(standardize=False)
    assert abs(data.y_train.mean()) < 1e-12
    assert abs(data.y_train.std() - 1.0) < 1e-12
    assert data.y_mean == pytest.approx(raw.y_train.mean())
    numpy.testing.assert_allclose(data.y_test * data.y_std + data.y_mean, raw.y_test, rtol=1e-12)
    numpy.testing.assert_allclose(data.X_test * data.x_std + data.x_mean, raw.X_test, rtol=1e-12)


def test_housing_constant_train_column_not_divided_by_zero():
    # With 2 training rows out of 932, a discrete column such as beds is often
    # constant on the training side. Search seeds for such a case.
    for seed in range(200):
        data = load_housing(features=["beds"], one_hot_type=False, test_fraction=930 / 932, seed=seed)
        if data.x_std[0] == 1.0:
            break
    else:
        pytest.fail("no seed gave a constant beds column on 2 training rows")
    assert numpy.isfinite(data.X_test).all()
    numpy.testing.assert_array_equal(data.X_train, 0.0)


def test_housing_feature_selection_order():
    data = load_housing(features=["latitude", "sqft"], one_hot_type=False, standardize=False)
    raw = read_sacramento_csv()
    order = numpy.random.default_rng(0).permutation(N_SALES)
    assert data.feature_names == ("latitude", "sqft")
    numpy.testing.assert_array_equal(data.X_test[:, 0], raw["latitude"][order[:186]])
    numpy.testing.assert_array_equal(data.X_test[:, 1], raw["sqft"][order[:186]])


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_housing_dtype(dtype):
    data = load_housing(dtype=dtype)
    for array in (data.X_train, data.y_train, data.X_test, data.y_test, data.x_mean, data.x_std):
        assert array.dtype == dtype
    assert isinstance(data.y_mean, float)


def test_housing_is_frozen():
    data = load_housing()
    with pytest.raises(AttributeError):
        data.X_train = None


# --- load_housing: errors ---


def test_housing_unknown_feature_message():
    with pytest.raises(ValueError, match="unknown feature names") as excinfo:
        load_housing(features=["sqft", "garage"])
    message = str(excinfo.value)
    assert "'garage'" in message
    for name in NUMERIC_FEATURES:
        assert name in message


def test_housing_type_feature_hints_option():
    with pytest.raises(ValueError, match="one_hot_type=True"):
        load_housing(features=["type"])


def test_housing_string_features_rejected():
    with pytest.raises(TypeError, match="the string 'sqft'"):
        load_housing(features="sqft")


def test_housing_duplicate_feature_rejected():
    with pytest.raises(ValueError, match=r"\['beds'\] more than once"):
        load_housing(features=["beds", "sqft", "beds"])


def test_housing_no_columns_rejected():
    with pytest.raises(ValueError, match="no feature columns"):
        load_housing(features=[], one_hot_type=False)


def test_housing_only_one_hot_allowed():
    data = load_housing(features=[])
    assert data.feature_names == ("type_Residential", "type_Condo", "type_Multi_Family")


@pytest.mark.parametrize("test_fraction", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_housing_test_fraction_out_of_range(test_fraction):
    with pytest.raises(ValueError, match="strictly between 0 and 1") as excinfo:
        load_housing(test_fraction=test_fraction)
    assert repr(test_fraction) in str(excinfo.value)


@pytest.mark.parametrize("test_fraction", [0.0001, 0.9999])
def test_housing_empty_split_rejected(test_fraction):
    with pytest.raises(ValueError, match="at least one row"):
        load_housing(test_fraction=test_fraction)


@pytest.mark.parametrize("test_fraction", ["0.2", None, True])
def test_housing_test_fraction_not_number(test_fraction):
    with pytest.raises(TypeError, match="test_fraction must be a real number"):
        load_housing(test_fraction=test_fraction)


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_housing_invalid_seed_type(seed):
    with pytest.raises(TypeError, match="seed must be an int or a numpy.random.Generator"):
        load_housing(seed=seed)


def test_housing_integer_dtype_rejected():
    with pytest.raises(ValueError, match="floating-point"):
        load_housing(dtype=numpy.int64)


# --- load_digits ---


def test_digits_shapes_and_ranges():
    pytest.importorskip("sklearn")
    data = load_digits()
    assert data.X_train.shape == (1438, 64)
    assert data.X_test.shape == (359, 64)
    assert data.y_train.shape == (1438,)
    assert data.y_test.shape == (359,)
    assert data.X_train.dtype == numpy.float64
    assert data.y_train.dtype == numpy.int64
    for X in (data.X_train, data.X_test):
        assert X.min() == 0.0
        assert X.max() == 1.0
    assert set(numpy.unique(numpy.concatenate([data.y_train, data.y_test]))) == set(range(10))


def test_digits_split_reproducible():
    pytest.importorskip("sklearn")
    first = load_digits(seed=4, dtype=numpy.float32)
    second = load_digits(seed=4, dtype=numpy.float32)
    other = load_digits(seed=5, dtype=numpy.float32)
    assert first.X_train.dtype == numpy.float32
    assert numpy.array_equal(first.X_test, second.X_test)
    assert numpy.array_equal(first.y_test, second.y_test)
    assert not numpy.array_equal(first.y_test, other.y_test)
    assert first.X_train.shape[0] + first.X_test.shape[0] == N_DIGITS


def test_digits_test_fraction_out_of_range():
    pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match="got 1.2"):
        load_digits(test_fraction=1.2)


def test_digits_missing_sklearn_message(monkeypatch):
    # A None entry in sys.modules makes the import raise ModuleNotFoundError.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_digits()
