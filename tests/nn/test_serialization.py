"""Tests for Module.save and Module.load: round trips, atomic writes and every bad-file error."""

import os
import zipfile

import numpy as np
import pytest

import nn
from nn import serialization


@pytest.fixture
def model():
    return nn.MLP(3, hidden=[4], seed=0)


@pytest.fixture
def saved(tmp_path, model):
    path = tmp_path / "model.npz"
    model.save(path)
    return path


def write_npz(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)


def our_entries(model, **changes):
    """The arrays of a valid file for `model`, with entries replaced or removed (None)."""
    arrays = dict(model.state_dict())
    arrays["__nn_format__"] = np.array(serialization.FORMAT_MARKER)
    arrays["__nn_class__"] = np.array("MLP")
    for key, value in changes.items():
        key = key.replace("__dot__", ".")
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    return arrays


# --- round trip ---


def test_round_trip_restores_weights(saved, model):
    other = nn.MLP(3, hidden=[4], seed=1)
    assert other.load(saved) is other
    for (name, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(model(X).numpy(), other(X).numpy())


def test_round_trip_float32(tmp_path):
    model = nn.MLP(2, hidden=[3], seed=0, dtype="float32")
    path = tmp_path / "model32.npz"
    model.save(path)
    other = nn.MLP(2, hidden=[3], seed=5, dtype="float32").load(path)
    assert other[0].weight.dtype == np.float32
    np.testing.assert_array_equal(other[0].weight.numpy(), model[0].weight.numpy())


def test_file_layout_is_plain_npz(saved):
    with np.load(saved, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["0.bias", "0.weight", "2.bias", "2.weight", "__nn_class__", "__nn_format__"]
        assert str(archive["__nn_format__"]) == serialization.FORMAT_MARKER
        assert str(archive["__nn_class__"]) == "MLP"


def test_save_keeps_exact_path(tmp_path, model):
    path = tmp_path / "weights.bin"
    model.save(path)
    assert path.exists()
    assert not (tmp_path / "weights.bin.npz").exists()


def test_save_accepts_str_path(tmp_path, model):
    path = str(tmp_path / "model.npz")
    model.save(path)
    nn.MLP(3, hidden=[4], seed=1).load(path)


def test_loaded_weights_are_writable(saved):
    other = nn.MLP(3, hidden=[4], seed=1).load(saved)
    other[0].weight.data += 1.0  # an optimiser step updates in place


def test_save_overwrites(tmp_path):
    path = tmp_path / "model.npz"
    nn.Linear(2, 1, seed=0).save(path)
    second = nn.Linear(2, 1, seed=1)
    second.save(path)
    loaded = nn.Linear(2, 1, seed=2).load(path)
    np.testing.assert_array_equal(loaded.weight.numpy(), second.weight.numpy())


def test_saved_file_gets_umask_mode(tmp_path, model):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "model.npz"
    model.save(path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_leaves_no_temporary_file(tmp_path, model):
    model.save(tmp_path / "model.npz")
    assert os.listdir(tmp_path) == ["model.npz"]


# --- atomic save ---


def test_interrupted_save_keeps_previous_file(tmp_path, monkeypatch, model):
    path = tmp_path / "model.npz"
    model.save(path)
    before = path.read_bytes()

    def fail_midway(file, arrays):
        file.write(b"PK\x03\x04 partial archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_npz", fail_midway)
    with pytest.raises(KeyboardInterrupt):
        nn.MLP(3, hidden=[4], seed=9).save(path)

    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_failed_replace_keeps_previous_file(tmp_path, monkeypatch, model):
    path = tmp_path / "model.npz"
    model.save(path)
    before = path.read_bytes()

    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(serialization.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        nn.MLP(3, hidden=[4], seed=9).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_is_fsynced(tmp_path, monkeypatch, model):
    synced = []
    real_fsync = os.fsync

    def record(descriptor):
        synced.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(serialization.os, "fsync", record)
    model.save(tmp_path / "model.npz")
    assert synced  # the data file, and the directory where the platform allows it


def test_save_to_missing_directory(tmp_path, model):
    path = tmp_path / "missing" / "model.npz"
    with pytest.raises(FileNotFoundError) as info:
        model.save(path)
    message = str(info.value)
    assert message.startswith(f"cannot save to {str(path)!r}: the directory {str(path.parent)!r} does not exist")
    assert ".tmp" not in message


def test_save_to_directory(tmp_path, model):
    with pytest.raises(IsADirectoryError) as info:
        model.save(tmp_path)
    assert str(info.value).startswith(f"cannot save to {str(tmp_path)!r}: it is a directory")
    assert os.listdir(tmp_path) == []


def test_save_under_a_file(tmp_path, model):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError, match=f"{str(blocker)!r} is not a directory"):
        model.save(blocker / "model.npz")


def test_save_to_read_only_directory(tmp_path, monkeypatch, model):
    # Tests may run as root, which can write anywhere, so the refusal is simulated.
    def deny(dir, prefix, suffix):
        raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "abc" + suffix))

    monkeypatch.setattr(serialization.tempfile, "mkstemp", deny)
    path = tmp_path / "model.npz"
    with pytest.raises(PermissionError) as info:
        model.save(path)
    message = str(info.value)
    assert message == f"cannot save to {str(path)!r}: cannot create a file in {str(tmp_path)!r} (Permission denied)"


def test_failed_write_names_the_path(tmp_path, monkeypatch, model):
    def fail(source, destination):
        raise OSError(28, "No space left on device", source)

    monkeypatch.setattr(serialization.os, "replace", fail)
    path = tmp_path / "model.npz"
    with pytest.raises(OSError) as info:
        model.save(path)
    assert str(info.value) == f"cannot save to {str(path)!r}: writing failed (No space left on device)"
    assert os.listdir(tmp_path) == []


# --- bad files ---


def test_load_missing_file(tmp_path, model):
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "absent.npz")


def test_load_missing_entry(tmp_path, model):
    path = tmp_path / "bad.npz"
    write_npz(path, **our_entries(model, **{"2__dot__bias": None}))
    with pytest.raises(nn.StateDictError) as info:
        model.load(path)
    assert info.value.missing == ["2.bias"]
    assert "missing entries ['2.bias']" in str(info.value)
    assert "saved from a MLP" in str(info.value)


def test_load_extra_entry(tmp_path, model):
    path = tmp_path / "bad.npz"
    write_npz(path, **our_entries(model, **{"4__dot__weight": np.zeros((1, 1))}))
    with pytest.raises(nn.StateDictError) as info:
        model.load(path)
    assert info.value.unexpected == ["4.weight"]
    assert "unexpected entries ['4.weight']" in str(info.value)


def test_load_misshaped_entry(tmp_path, model):
    path = tmp_path / "bad.npz"
    write_npz(path, **our_entries(model, **{"0__dot__weight": np.zeros((4, 3))}))
    with pytest.raises(nn.StateDictError) as info:
        model.load(path)
    assert info.value.mismatched == [("0.weight", "shape (3, 4)", "shape (4, 3)")]
    assert "'0.weight' has shape (4, 3) but the parameter has shape (3, 4)" in str(info.value)


def test_load_other_architecture_names_all(saved):
    with pytest.raises(nn.StateDictError) as info:
        nn.MLP(3, hidden=[4, 4], seed=0).load(saved)
    message = str(info.value)
    assert "missing entries ['4.weight', '4.bias']" in message
    assert "'2.weight' has shape (4, 1) but the parameter has shape (4, 4)" in message


def test_load_dtype_mismatch(saved):
    float32_model = nn.MLP(3, hidden=[4], seed=0, dtype="float32")
    with pytest.raises(nn.StateDictError, match="dtype float64 but the parameter has dtype float32"):
        float32_model.load(saved)


def test_load_random_bytes(tmp_path, model):
    path = tmp_path / "random.npz"
    path.write_bytes(np.random.default_rng(0).bytes(1000))
    with pytest.raises(nn.ModelFileError, match="is not a model file written by nn.Module.save"):
        model.load(path)


def test_load_empty_file(tmp_path, model):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(nn.ModelFileError, match="not a model file"):
        model.load(path)


def test_load_truncated_file(tmp_path, saved, model):
    path = tmp_path / "truncated.npz"
    path.write_bytes(saved.read_bytes()[:200])
    with pytest.raises(nn.ModelFileError, match="not a model file"):
        model.load(path)


def test_load_npz_without_marker(tmp_path, model):
    path = tmp_path / "plain.npz"
    write_npz(path, **model.state_dict())
    with pytest.raises(nn.ModelFileError, match="no '__nn_format__' entry"):
        model.load(path)


def test_load_wrong_marker(tmp_path, model):
    path = tmp_path / "other.npz"
    write_npz(path, **our_entries(model, __nn_format__=np.array("someone-else/7")))
    with pytest.raises(nn.ModelFileError, match="format marker"):
        model.load(path)


def test_load_npy_file(tmp_path, model):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(nn.ModelFileError, match="single .npy array"):
        model.load(path)


def test_load_pickled_entry_rejected(tmp_path, model):
    path = tmp_path / "pickled.npz"
    arrays = our_entries(model)
    arrays["0.weight"] = np.array([{"a": 1}], dtype=object)  # would need pickle to read
    write_npz(path, **arrays)
    with pytest.raises(nn.ModelFileError, match="entry '0.weight' cannot be read as an array with allow_pickle=False"):
        model.load(path)


def test_load_zip_that_is_not_npz(tmp_path, model):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(nn.ModelFileError, match="entry 'readme.txt' is not a NumPy .npy array"):
        model.load(path)


def test_load_our_file_with_foreign_member(tmp_path, saved, model):
    path = tmp_path / "mixed.npz"
    path.write_bytes(saved.read_bytes())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", "not an array")
    with pytest.raises(nn.ModelFileError, match="entry 'notes.txt' is not a NumPy .npy array"):
        model.load(path)


def test_failed_load_changes_nothing(tmp_path, model):
    before = model.state_dict()
    path = tmp_path / "bad.npz"
    write_npz(path, **our_entries(model, **{"0__dot__weight": np.ones((3, 4)), "2__dot__bias": None}))
    with pytest.raises(nn.StateDictError):
        model.load(path)
    np.testing.assert_array_equal(model[0].weight.numpy(), before["0.weight"])


def test_parameter_names_clashing_with_savez(tmp_path):
    model = nn.Linear(1, 1, seed=0)
    model.file = nn.Parameter([1.0])  # numpy.savez(file, **arrays) would reject these names
    model.allow_pickle = nn.Parameter([2.0])
    model.save(tmp_path / "model.npz")
    other = nn.Linear(1, 1, seed=1)
    other.file = nn.Parameter([0.0])
    other.allow_pickle = nn.Parameter([0.0])
    other.load(tmp_path / "model.npz")
    assert other.file.tolist() == [1.0]
    assert other.allow_pickle.tolist() == [2.0]


def test_reserved_parameter_name_rejected(tmp_path):
    model = nn.Linear(1, 1, seed=0)
    setattr(model, "__nn_format__", nn.Parameter([1.0]))
    with pytest.raises(ValueError, match="reserved"):
        model.save(tmp_path / "model.npz")


def test_model_file_error_is_value_error():
    assert issubclass(nn.ModelFileError, ValueError)
