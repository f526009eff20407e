#!/usr/bin/python3
"""RepZoo's INT8 model against PyTorch's fake quantization: the same model rebuilt in PyTorch from the ONNX files,
quantized with torch.fake_quantize_* at the scales RepZoo chose, compared with ONNX Runtime running RepZoo's int8 file.

Reads the float model (the file `repzoo export`/`convert` wrote, or the one `quantize` started from) and the int8 one
(`repzoo quantize`) with Debian's python3-onnx. PyTorch then runs the float graph (Conv, Gemm, Relu, pooling, Add,
Concat, Flatten, ...) with, wherever the int8 file dequantizes something:
  - weights: torch.fake_quantize_per_channel_affine (axis 0) or _per_tensor_affine of the *float* weights at the int8
    file's scales and zero points, range [-128, 127] (so the check covers RepZoo's rounding of the weights too: the
    result must equal the int8 file's dequantized values);
  - biases: int32 at the file's scales (round half to even);
  - activations: torch.fake_quantize_per_tensor_affine at the file's scale and zero point, range [0, 255].
The images go through `repzoo predict --input` on the int8 file (ONNX Runtime), and the script reports the share of
images whose top-1 class is the same and the largest logit gap.

    apt-get install python3-torch python3-onnx dataset-fashion-mnist
    /usr/bin/python3 tools/reference/int8_parity.py FLOAT.onnx INT8.onnx [--images N] [--fixture DIR]
Images: the first N (default all 10,000) Fashion-MNIST test images, resized to the model's input with PIL's bilinear
filter and normalised with the preset in the file's metadata. --fixture DIR writes the first --fixture-images (256)
inputs and PyTorch logits as inputs.npy and torch_logits.npy, and summary.json (over all the images), for the CI
test (QuantizedOnnxParityTest); copy the int8 file beside them as demo.int8.onnx.
"""
import argparse
import gzip
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repzoo_cli import repzoo  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def quantized_weights(int8_model):
    """For each float initializer the int8 file replaced: (int8 values, scales, zero points, axis)."""
    inits = {t.name: numpy_helper.to_array(t) for t in int8_model.graph.initializer}
    out = {}
    for node in int8_model.graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in inits:  # weights; activations come from nodes
            name = node.input[0][:-len("/quantized")]
            out[name] = (inits[node.input[0]], inits[node.input[1]], inits[node.input[2]],
                         attributes(node).get("axis", 1))
    return out


def activation_quantization(int8_model):
    """Activation tensor -> (scale, zero point), from the QuantizeLinear nodes."""
    inits = {t.name: numpy_helper.to_array(t) for t in int8_model.graph.initializer}
    return {n.input[0]: (float(inits[n.input[1]]), int(inits[n.input[2]]))
            for n in int8_model.graph.node if n.op_type == "QuantizeLinear"}


def dequantize(q, scale, zero, axis):
    """ONNX's DequantizeLinear, in float64: (q - zero) * scale, per channel along axis for 1-D scales."""
    if np.ndim(scale) == 1 and np.size(scale) > 1:
        shape = [1] * q.ndim
        shape[axis] = -1
        return (q.astype(np.float64) - np.reshape(zero, shape)) * np.reshape(scale, shape)
    return (q.astype(np.float64) - float(np.ravel(zero)[0])) * float(np.ravel(scale)[0])


def fake_weight(name, value, quantized):
    q, scale, zero, axis = quantized[name]
    w = torch.from_numpy(value.copy())
    if q.dtype == np.int32:  # a bias: int32 at input scale * weight scale, zero point 0
        s = torch.from_numpy(scale.astype(np.float32))
        return torch.round(w / s) * s
    if np.size(scale) > 1:
        rebuilt = torch.fake_quantize_per_channel_affine(w, torch.from_numpy(scale.astype(np.float32)),
                                                         torch.from_numpy(zero.astype(np.int32)), axis, -128, 127)
    else:
        rebuilt = torch.fake_quantize_per_tensor_affine(w, float(np.ravel(scale)[0]), int(np.ravel(zero)[0]),
                                                        -128, 127)
    # PyTorch's fake quantization of the float weight must land on the int8 file's own dequantized values.
    stored = dequantize(q, scale, zero, axis).astype(np.float32)
    if not np.allclose(rebuilt.numpy(), stored, rtol=0, atol=1e-7):
        raise AssertionError(f"{name}: PyTorch's fake quantization differs from the int8 file's values")
    return rebuilt


def run(float_model, int8_model, quantized, activations, x):
    """The float graph in PyTorch, fake-quantized exactly where the int8 file's same node reads a dequantized input."""
    values = {t.name: numpy_helper.to_array(t) for t in float_model.graph.initializer}
    tensors = {float_model.graph.input[0].name: torch.from_numpy(x)}
    int8_nodes = {n.name: n for n in int8_model.graph.node}

    def get(node, index):
        name = node.input[index]
        t = tensors[name] if name in tensors else torch.from_numpy(values[name])
        twin = int8_nodes.get(node.name)
        if twin is None or twin.input[index] != name + "/dequantized":
            return t
        if name in quantized:
            return fake_weight(name, values[name], quantized)
        scale, zero = activations[name]
        return torch.fake_quantize_per_tensor_affine(t, scale, zero, 0, 255)

    for node in float_model.graph.node:
        a = attributes(node)
        ins = [get(node, i) for i, name in enumerate(node.input) if name]
        op = node.op_type
        if op == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            x_in = F.pad(ins[0], (pads[1], pads[3], pads[0], pads[2])) if pads[0] != pads[2] or pads[1] != pads[3] \
                else ins[0]
            padding = 0 if pads[0] != pads[2] or pads[1] != pads[3] else (pads[0], pads[1])
            out = F.conv2d(x_in, ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", [1, 1]), padding,
                           a.get("dilations", [1, 1]), a.get("group", 1))
        elif op == "Relu":
            out = F.relu(ins[0])
        elif op == "Sigmoid":
            out = torch.sigmoid(ins[0])
        elif op in ("MaxPool", "AveragePool"):
            pads = a.get("pads", [0, 0, 0, 0])
            x_in = ins[0]
            if op == "MaxPool":
                x_in = F.pad(x_in, (pads[1], pads[3], pads[0], pads[2]), value=float("-inf"))
                out = F.max_pool2d(x_in, a["kernel_shape"], a.get("strides", [1, 1]))
            else:
                count = a.get("count_include_pad", 0)
                if count or not any(pads):
                    out = F.avg_pool2d(F.pad(x_in, (pads[1], pads[3], pads[0], pads[2])), a["kernel_shape"],
                                       a.get("strides", [1, 1]))
                else:
                    out = F.avg_pool2d(x_in, a["kernel_shape"], a.get("strides", [1, 1]), (pads[0], pads[1]),
                                       count_include_pad=False)
        elif op == "GlobalAveragePool":
            out = ins[0].mean(dim=(2, 3), keepdim=True)
        elif op == "GlobalMaxPool":
            out = ins[0].amax(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            out = torch.flatten(ins[0], a.get("axis", 1))
        elif op == "Gemm":
            w = ins[1].t() if a.get("transB", 0) else ins[1]
            out = ins[0] @ w + (ins[2] if len(ins) > 2 else 0)
        elif op in ("Add", "Sum"):
            out = sum(ins)
        elif op == "Mul":
            out = ins[0] * ins[1]
        elif op == "Concat":
            out = torch.cat(ins, a["axis"])
        elif op == "Pad":
            p = [int(v) for v in ins[1]]
            out = F.pad(ins[0], (p[3], p[7], p[2], p[6]))
        elif op == "LRN":
            out = F.local_response_norm(ins[0], a["size"], a["alpha"], a["beta"], a["bias"])
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Identity":
            out = ins[0]
        else:
            raise NotImplementedError(f"node {node.name}: {op}")
        tensors[node.output[0]] = out
    return tensors[float_model.graph.output[0].name].numpy()


def images(count, preset, shape):
    with gzip.open(FASHION) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:count]
    side = shape[-1]
    mean, std, scale = preset["mean"][0], preset["std"][0], preset["scale"]
    out = np.empty((len(raw), 1, side, side), np.float32)
    for i, image in enumerate(raw):
        resized = np.asarray(Image.fromarray(image).resize((side, side), Image.BILINEAR), np.float32)
        out[i, 0] = (resized / (255.0 / scale) - mean) / std
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("float_model")
    parser.add_argument("int8_model")
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--fixture")
    parser.add_argument("--fixture-images", type=int, default=256, help="images saved into the fixture")
    args = parser.parse_args()
    float_model, int8_model = onnx.load(args.float_model), onnx.load(args.int8_model)
    onnx.checker.check_model(int8_model, full_check=True)
    metadata = {p.key: p.value for p in int8_model.metadata_props}
    preset = json.loads(metadata["repzoo.preset"])
    input_side = int(metadata["repzoo.input"].split("x")[-1])
    x = images(args.images, preset, [1, 1, input_side, input_side])
    quantized, activations = quantized_weights(int8_model), activation_quantization(int8_model)
    torch.set_num_threads(2)
    with torch.no_grad():
        expected = np.concatenate([run(float_model, int8_model, quantized, activations, x[i:i + 500])
                                   for i in range(0, len(x), 500)])
    with tempfile.TemporaryDirectory() as folder:
        np.save(os.path.join(folder, "x.npy"), x)
        repzoo("predict", args.int8_model, "--input", os.path.join(folder, "x.npy"), "--output",
               os.path.join(folder, "y.npy"), "--batch", "256")
        actual = np.load(os.path.join(folder, "y.npy"))
    same = float((expected.argmax(1) == actual.argmax(1)).mean())
    gap = float(np.abs(expected - actual).max())
    summary = {"images": len(x), "same_top1": same, "max_abs_logit_gap": gap,
               "max_abs_logit": float(np.abs(expected).max()), "quantized_weights": len(quantized),
               "quantized_activations": len(activations), "torch": torch.__version__, "onnx": onnx.__version__,
               "input_shape": list(x.shape[1:])}
    print(json.dumps(summary, indent=2))
    if args.fixture:
        os.makedirs(args.fixture, exist_ok=True)
        np.save(os.path.join(args.fixture, "inputs.npy"), x[:args.fixture_images])
        np.save(os.path.join(args.fixture, "torch_logits.npy"), expected[:args.fixture_images].astype(np.float32))
        with open(os.path.join(args.fixture, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
    sys.exit(0 if same >= 0.995 else 1)


if __name__ == "__main__":
    main()
