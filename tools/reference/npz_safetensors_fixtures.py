#!/usr/bin/python3
"""Small NumPy and safetensors files for the Java readers' tests, with the values they must read.

The .npz files come from numpy.savez and numpy.savez_compressed themselves; they hold every dtype RepZoo reads,
a 0-d scalar, a zero-size array, a Fortran-ordered array and big-endian arrays. The .npy files come from numpy.save.
The safetensors file is written here straight from the format's specification (the safetensors package is not in
Debian): 8-byte little-endian header length, compact JSON header padded with spaces to a multiple of 8, data in the
order of the reference writer (alignment, then name). expected.json lists, per file, each key's dtype (safetensors
names), shape and values flattened in C order; bfloat16 values are chosen to be exact.

    /usr/bin/python3 tools/reference/npz_safetensors_fixtures.py weights/src/test/resources/checkpoint
"""
import json
import os
import struct
import sys

import numpy as np

DTYPE_NAMES = {"float16": "F16", "float32": "F32", "float64": "F64", "int8": "I8", "uint8": "U8",
               "int16": "I16", "int32": "I32", "int64": "I64", "bool": "BOOL"}


def arrays():
    """The members of both .npz files, in order."""
    rng = np.random.default_rng(20240611)
    return {
        "fc.weight": rng.standard_normal((3, 4)).astype(np.float32),
        "fc.bias": np.array([0.5, -0.0, 1e-300, -2.25], dtype=np.float64),
        "half": np.array([[1.0, -2.5, 65504.0], [6.1e-5, 5.96e-8, -0.0]], dtype=np.float16),
        "num_batches_tracked": np.array(7, dtype=np.int64),
        "pixels": np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 21,
        "mask": np.array([True, False, False, True, True]),
        "int8": np.array([-128, -1, 0, 127], dtype=np.int8),
        "int16": np.array([[-32768, 12345], [0, 32767]], dtype=np.int16),
        "int32": np.array([-2147483648, 7, 2147483647], dtype=np.int32),
        "int64.big": np.array([-(2 ** 62), 3, 2 ** 40], dtype=">i8"),
        "fortran": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8),
        "fortran.big": np.asfortranarray((rng.standard_normal((3, 2)) * 100).astype(">f8")),
        "big": rng.standard_normal((2, 3)).astype(">f4"),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


def describe(array):
    values = array.ravel(order="C").tolist()
    if array.dtype == np.bool_:
        values = [int(v) for v in values]
    return {"dtype": DTYPE_NAMES[array.dtype.name], "shape": list(array.shape), "values": values}


def bfloat16(values):
    """Raw little-endian bfloat16 bytes of float32 values that bfloat16 holds exactly."""
    floats = np.array(values, dtype="<f4")
    bits = floats.view("<u4")
    if np.any(bits & 0xFFFF):
        raise ValueError("not exact in bfloat16")
    return (bits >> 16).astype("<u2").tobytes()


def write_safetensors(path):
    """The format's reference layout, written by hand; returns the expected entries."""
    rng = np.random.default_rng(7)
    weight = rng.standard_normal((2, 3)).astype("<f4")
    half = np.array([[0.5, -1.0], [2.0, 1024.0]], dtype="<f2")
    steps = np.array([5, -(2 ** 40)], dtype="<i8")
    brain = [1.0, -0.5, 3.0, 1.5 * 2.0 ** 33, -0.0, 0.0078125]
    tensors = {  # name: (dtype, shape, bytes, expected values)
        "conv.weight": ("F32", [2, 3], weight.tobytes(), weight.ravel().tolist()),
        "bn.scale": ("F16", [2, 2], half.tobytes(), half.astype(np.float64).ravel().tolist()),
        "steps": ("I64", [2], steps.tobytes(), steps.tolist()),
        "brain": ("BF16", [3, 2], bfloat16(brain), brain),
        "scalar": ("F32", [], np.array(2.5, dtype="<f4").tobytes(), [2.5]),
        "nothing": ("F32", [0, 4], b"", []),
    }
    alignment = {"I64": 8, "F32": 4, "F16": 2, "BF16": 2}
    order = sorted(tensors, key=lambda name: (-alignment[tensors[name][0]], name))
    header = {"__metadata__": {"format": "pt", "source": "repzoo fixture"}}
    data = b""
    for name in order:
        dtype, shape, raw, _ = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + data)
    return {"metadata": header["__metadata__"],
            "tensors": {name: {"dtype": tensors[name][0], "shape": tensors[name][1], "values": tensors[name][3]}
                        for name in order}}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    members = arrays()
    expected = {}
    np.savez(os.path.join(out_dir, "savez.npz"), **members)
    np.savez_compressed(os.path.join(out_dir, "savez_compressed.npz"), **members)
    for name in ("savez.npz", "savez_compressed.npz"):
        expected[name] = {"tensors": {key: describe(array) for key, array in members.items()}}

    standalone = {"input.npy": np.linspace(-1, 1, 2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2),
                  "fortran_big.npy": np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3) - 3),
                  "scalar.npy": np.array(-1.5, dtype=np.float64)}
    for name, array in standalone.items():
        np.save(os.path.join(out_dir, name), array)
        expected[name] = {"tensors": {"array": describe(array)}}

    # An object array, which numpy.savez pickles: the readers must refuse it.
    np.savez(os.path.join(out_dir, "object_member.npz"), ok=np.ones(2, dtype=np.float32),
             names=np.array(["a", None], dtype=object))

    expected["reference.safetensors"] = write_safetensors(os.path.join(out_dir, "reference.safetensors"))
    with open(os.path.join(out_dir, "expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
