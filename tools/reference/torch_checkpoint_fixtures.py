#!/usr/bin/python3
"""Small PyTorch checkpoints that RepZoo's pure-Java reader (org.repzoo.weights.format) is tested against.

Writes, into the given folder, .pth files in both torch.save formats (zip since 1.6, and the legacy pickle stream
of torchvision's pre-2020 weights), checkpoints that must be refused (an argparse.Namespace, a numpy array, hand-made
pickles that call os.system / builtins.eval, a TorchScript archive), a big-endian copy, and torch_expected.json: for every file the
wrapper key, the tensor keys in order, and each tensor's dtype, shape and C-order values computed by torch.

Run with Debian's PyTorch 1.13 (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 tools/reference/torch_checkpoint_fixtures.py weights/src/test/resources/checkpoint
Output is deterministic (fixed seed; the legacy format's pointer-valued storage keys are renamed).
The Java tests read only the committed files; they never need PyTorch.
"""
import argparse
import collections
import io
import json
import os
import pickle
import re
import struct
import sys
import zipfile

import numpy as np
import torch
from torch import nn

DTYPES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64",
          torch.int8: "I8", torch.uint8: "U8", torch.int16: "I16", torch.int32: "I32", torch.int64: "I64",
          torch.bool: "BOOL"}
LEGACY_MAGIC = 0x1950a86a20f9469cfc6c


def small_state_dict():
    """Conv + BN + Linear, with BN statistics updated by two training steps (num_batches_tracked == 2)."""
    torch.manual_seed(20240611)
    model = nn.Sequential(collections.OrderedDict([
        ("conv", nn.Conv2d(3, 4, 3, bias=False)),
        ("bn", nn.BatchNorm2d(4)),
        ("relu", nn.ReLU()),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(4, 3)),
    ]))
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(2, 3, 5, 5))
    return model.state_dict(), model


def dtype_state_dict():
    """Every element type, a scalar, an empty tensor, and views: transposed, strided, expanded, shared storage."""
    torch.manual_seed(7)
    base = torch.arange(24, dtype=torch.float32) * 0.25 - 2.0
    matrix = torch.randn(3, 5)
    state = collections.OrderedDict()
    state["half"] = torch.randn(2, 3).half()
    state["bfloat"] = torch.randn(5).bfloat16()
    state["double"] = torch.randn(2, 2, dtype=torch.float64)
    state["int8"] = torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8)
    state["uint8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    state["int16"] = torch.tensor([[-32768, 32767], [5, -5]], dtype=torch.int16)
    state["int32"] = torch.tensor([-2147483648, 2147483647, 12345], dtype=torch.int32)
    state["int64"] = torch.tensor([-(2 ** 52) - 3, 2 ** 40 + 1, 0, 42], dtype=torch.int64)
    state["bool"] = torch.tensor([True, False, True])
    state["scalar"] = torch.tensor(3.5)
    state["empty"] = torch.zeros(0, 3)
    state["transposed"] = matrix.t()  # stride (1, 5): not contiguous
    state["shared_a"] = base[2:8]  # offset 2 into a 24-element storage
    state["shared_b"] = base[10:22].view(3, 4)  # offset 10, same storage
    state["strided"] = base[1::5]  # stride 5
    state["expanded"] = torch.tensor([1.5, -2.5, 4.0]).expand(2, 3)  # stride (0, 1)
    state["permuted"] = torch.arange(24, dtype=torch.int32).view(2, 3, 4).permute(2, 0, 1)
    return state


def expected_tensor(key, tensor):
    contiguous = tensor.detach().contiguous()
    if contiguous.dtype == torch.bfloat16:
        raw = contiguous.view(torch.int16).numpy().tobytes()
        values = contiguous.float().flatten().tolist()
    elif contiguous.dtype == torch.bool:
        raw = contiguous.numpy().tobytes()
        values = [int(v) for v in contiguous.flatten().tolist()]
    else:
        raw = contiguous.numpy().astype(contiguous.numpy().dtype.newbyteorder("<")).tobytes()
        values = contiguous.flatten().tolist()
    return {"key": key, "dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "hex": raw.hex(),
            "values": values}


def expected(state, wrapper, fmt):
    return {"format": fmt, "wrapper": wrapper, "tensors": [expected_tensor(k, v) for k, v in state.items()]}


def rename_legacy_keys(path):
    """The legacy format keys storages by C pointer; rename them 1, 2, ... in order of first use (protocol 2 pickles
    hold no byte offsets, so a string may change length) and rewrite the key list and the storages in that order."""
    data = open(path, "rb").read()
    stream = io.BytesIO(data)
    for _ in range(3):
        pickle.load(stream)
    start = stream.tell()
    widths = {}

    class KeyRecorder(pickle.Unpickler):
        def persistent_load(self, saved_id):
            storage = saved_id[1](saved_id[4])
            widths[saved_id[2]] = storage.element_size()
            return storage

    KeyRecorder(stream).load()
    main_pickle = data[start:stream.tell()]
    keys = pickle.load(stream)
    blobs = {}
    for key in keys:
        count = struct.unpack("<q", stream.read(8))[0]
        blobs[key] = struct.pack("<q", count) + stream.read(count * widths[key])
    renamed = {}
    for match in re.finditer(rb"X(....)(\d{6,20})", main_pickle, re.DOTALL):
        key = match.group(2)[:struct.unpack("<I", match.group(1))[0]].decode()
        if key in widths and key not in renamed:
            renamed[key] = str(len(renamed) + 1)
    for key, name in renamed.items():
        main_pickle = main_pickle.replace(b"X" + struct.pack("<I", len(key)) + key.encode(),
                                          b"X" + struct.pack("<I", len(name)) + name.encode())
    with open(path, "wb") as out:
        out.write(data[:start])
        out.write(main_pickle)
        pickle.dump(list(renamed.values()), out, protocol=2)
        for key in renamed:
            out.write(blobs[key])


def save(obj, path, legacy=False):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    if legacy:
        rename_legacy_keys(path)


class _OldStorage:
    """A storage (or a view of one) as PyTorch 0.3 pickled it, with view_metadata."""

    def __init__(self, root_key, root_numel, view=None):
        self.root_key, self.root_numel, self.view = root_key, root_numel, view


class _OldTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class _OldPickler(pickle.Pickler):
    """Pickles like PyTorch 0.3 under Python 2: _rebuild_tensor (4 arguments), storage views, OrderedDict items list."""

    def persistent_id(self, obj):
        if isinstance(obj, _OldStorage):
            return "storage", torch.FloatStorage, obj.root_key, "cpu", obj.root_numel, obj.view
        return None

    def reducer_override(self, obj):
        if isinstance(obj, _OldTensor):
            return torch._utils._rebuild_tensor, (obj.storage, obj.offset, obj.size, obj.stride)
        if isinstance(obj, collections.OrderedDict):
            return collections.OrderedDict, ([[k, v] for k, v in obj.items()],)
        return NotImplemented


def old_style_legacy(path):
    """A PyTorch-0.3-style legacy file: views of one root storage, plus a second root. Returns the expected tensors."""
    root = np.arange(30, dtype=np.float32) * 0.5 - 3.0
    other = np.array([10.0, 20.0, 30.0, 40.0], dtype=np.float32)
    view = _OldStorage("2", 30, ("3", 6, 20))  # elements 6..25 of root "2"
    state = collections.OrderedDict()
    state["features.0.weight"] = _OldTensor(view, 2, (2, 3), (3, 1))  # root[8:14]
    state["features.0.bias"] = _OldTensor(_OldStorage("2", 30), 0, (4,), (1,))  # root[0:4]
    state["features.1.weight"] = _OldTensor(view, 1, (3, 2), (1, 6))  # transposed view
    state["classifier.weight"] = _OldTensor(_OldStorage("5", 4), 0, (2, 2), (2, 1))
    buffer = io.BytesIO()
    for header in (LEGACY_MAGIC, 1001, {"protocol_version": 1001, "little_endian": True,
                                        "type_sizes": {"short": 2, "int": 4, "long": 8}}):
        pickle.dump(header, buffer, protocol=2)
    _OldPickler(buffer, protocol=2).dump(state)
    pickle.dump(["2", "5"], buffer, protocol=2)
    for data in (root, other):
        buffer.write(struct.pack("<q", data.size))
        buffer.write(data.tobytes())
    with open(path, "wb") as out:
        out.write(buffer.getvalue())
    views = {"features.0.weight": root[8:14].reshape(2, 3), "features.0.bias": root[0:4],
             "features.1.weight": np.lib.stride_tricks.as_strided(root[7:], (3, 2), (4, 24)),
             "classifier.weight": other.reshape(2, 2)}
    return {"format": "TORCH_LEGACY", "wrapper": None,
            "tensors": [expected_tensor(k, torch.from_numpy(np.ascontiguousarray(v))) for k, v in views.items()]}


def hand_made_zip(path, pickle_bytes):
    """A zip laid out like torch.save's, around a pickle written by hand."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in (("archive/data.pkl", pickle_bytes), ("archive/version", b"3\n")):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, data)


def hand_made_legacy(path, pickle_bytes):
    with open(path, "wb") as out:
        for header in (LEGACY_MAGIC, 1001, {"protocol_version": 1001, "little_endian": True,
                                            "type_sizes": {"short": 2, "int": 4, "long": 8}}):
            pickle.dump(header, out, protocol=2)
        out.write(pickle_bytes)
        pickle.dump([], out, protocol=2)


def big_endian_copy(source, path):
    """The zip checkpoint as torch >= 2.1 writes it on a big-endian machine: byteorder 'big', storages byte-swapped."""
    widths = {}

    class KeyRecorder(pickle.Unpickler):
        def persistent_load(self, saved_id):
            storage = saved_id[1](saved_id[4])
            widths[saved_id[2]] = storage.element_size()
            return storage

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        names = original.namelist()
        prefix = names[0].split("/")[0] + "/"
        KeyRecorder(io.BytesIO(original.read(prefix + "data.pkl"))).load()
        for name in names:
            data = original.read(name)
            key = name[len(prefix + "data/"):] if name.startswith(prefix + "data/") else None
            if key is not None and widths[key] > 1:
                data = np.frombuffer(data, dtype="<u%d" % widths[key]).byteswap().tobytes()
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
        archive.writestr(zipfile.ZipInfo(prefix + "byteorder", date_time=(2020, 1, 1, 0, 0, 0)), b"big")


def os_system_pickle():
    command = "echo repzoo-must-never-run-this".encode()
    return b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(command)) + command + b"\x85R."


def eval_pickle():
    """Protocol 4 with FRAME and STACK_GLOBAL: builtins.eval('...')."""
    body = (b"\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c\x1b__import__('os').getcwd()  \x94\x85\x94R\x94.")
    return b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body


def main(folder):
    os.makedirs(folder, exist_ok=True)
    facts = {}

    state, model = small_state_dict()
    save(state, os.path.join(folder, "zip_state_dict.pth"))
    facts["zip_state_dict.pth"] = expected(state, None, "TORCH_ZIP")
    save(state, os.path.join(folder, "legacy_state_dict.pth"), legacy=True)
    facts["legacy_state_dict.pth"] = expected(state, None, "TORCH_LEGACY")

    dtypes = dtype_state_dict()
    save(dtypes, os.path.join(folder, "zip_dtypes.pth"))
    facts["zip_dtypes.pth"] = expected(dtypes, None, "TORCH_ZIP")
    save(dtypes, os.path.join(folder, "legacy_dtypes.pth"), legacy=True)
    facts["legacy_dtypes.pth"] = expected(dtypes, None, "TORCH_LEGACY")

    big_endian_copy(os.path.join(folder, "zip_dtypes.pth"), os.path.join(folder, "zip_big_endian.pth"))
    facts["zip_big_endian.pth"] = expected(dtypes, None, "TORCH_ZIP")

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 3, 5, 5)).sum().backward()
    optimizer.step()
    wrapped = {"epoch": 3, "arch": "resnet", "state_dict": state, "best_acc1": torch.tensor(71.5),
               "optimizer": optimizer.state_dict(), "history": [0.5, None, (1, "two", b"three", True)],
               "lr": 0.1}
    save(wrapped, os.path.join(folder, "zip_wrapped_state_dict.pth"))
    facts["zip_wrapped_state_dict.pth"] = expected(state, "state_dict", "TORCH_ZIP")
    save({"model": state, "epoch": 5}, os.path.join(folder, "legacy_wrapped_model.pth"), legacy=True)
    facts["legacy_wrapped_model.pth"] = expected(state, "model", "TORCH_LEGACY")

    facts["legacy_old_style.pth"] = old_style_legacy(os.path.join(folder, "legacy_old_style.pth"))

    small = collections.OrderedDict([("fc.weight", torch.ones(2, 2))])
    save({"state_dict": small, "args": argparse.Namespace(lr=0.1, arch="resnet50")},
         os.path.join(folder, "forbidden_namespace.pth"))
    facts["forbidden_namespace.pth"] = {"forbidden": "argparse.Namespace"}
    save({"state_dict": small, "mean": np.array([0.485, 0.456, 0.406])}, os.path.join(folder, "forbidden_numpy.pth"))
    facts["forbidden_numpy.pth"] = {"forbidden": "numpy.core.multiarray._reconstruct"}
    hand_made_zip(os.path.join(folder, "forbidden_os_system.pth"), os_system_pickle())
    facts["forbidden_os_system.pth"] = {"forbidden": "os.system"}
    hand_made_legacy(os.path.join(folder, "forbidden_eval_legacy.pth"), eval_pickle())
    facts["forbidden_eval_legacy.pth"] = {"forbidden": "builtins.eval"}

    torch.manual_seed(1)
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(folder, "torchscript.pt"))
    facts["torchscript.pt"] = {"refused": "TorchScript"}

    with open(os.path.join(folder, "torch_expected.json"), "w") as out:
        json.dump(facts, out, indent=1, sort_keys=True)
        out.write("\n")

    for name, fact in facts.items():  # every written checkpoint loads back in torch as described
        path = os.path.join(folder, name)
        if "forbidden" in fact or "refused" in fact or name == "zip_big_endian.pth":  # torch 1.13 predates byteorder
            continue
        loaded = torch.load(path)
        loaded = loaded if fact["wrapper"] is None else loaded[fact["wrapper"]]
        assert [t["key"] for t in fact["tensors"]] == list(loaded.keys()), name
        for t in fact["tensors"]:
            assert expected_tensor(t["key"], loaded[t["key"]]) == t, (name, t["key"])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "weights/src/test/resources/checkpoint")
