#!/usr/bin/python3
"""ResNet's fully-convolutional multi-scale evaluation (He et al. 2015, §3.4) computed in PyTorch, for
cli/src/test/java/org/repzoo/cli/ResNetDenseEvalTest.java, which runs RepZoo's

    ./repzoo eval MODEL.zip --data FOLDER --protocol dense --scales 64,96,128 --no-flip --crop 64

on the same images and compares every class probability (1e-4) and the top-5.

What RepZoo's dense protocol does (evaluation/.../protocol/DenseViews.java, engine/Patches.java, ViewBatcher.java,
Evaluation.java; reparam/FullyConvolutional.java), mirrored here:
  * per scale Q, the whole image with its shorter side resized to Q: torchvision 0.14's F.resize(img, [Q]) on the PIL
    image (Pillow's antialiased bilinear filter; the longer side truncated, int(Q * long / short); an image already of
    that size is not resampled), no crop, no mirror (--no-flip);
  * to_tensor and Normalize with the ImageNet mean/std (the preset of torchvision's resnet18), float32;
  * the fully-convolutional net: ResNet's head is global average pooling + fc, already fully convolutional, so its
    class-score map averaged spatially before the soft-max is the net's own logits (fc of the averaged features) at
    that size, whatever the map's size (2x2 to 4x6 here);
  * soft-max per scale in float64 of the float32 logits, then the mean over the scales (each weighs 1/3): the
    probabilities the fixture holds, with their top-5 (the stable order: higher probability first, then lower class).

The model is torchvision's resnet18 with the hashed weights of hashed_weights.py (the Java test imports the same
tensors through `repzoo import`). The images are written by this script (smooth colour blobs with a little texture,
saved as PNG into the fixture folder): sizes 150x100, 90x140, 128x128 and 40x30, so that each scale both downsamples
(Pillow's antialiasing filter at work) and upsamples; the crop 64 makes 64 the smallest allowed scale (RepZoo refuses
scales below the crop), and Q = 64, 96, 128 keeps the test fast.

    apt-get install python3-torch python3-torchvision python3-pil
    /usr/bin/python3 tools/reference/resnet_dense_fixtures.py cli/src/test/resources/dense
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hashed_weights import tensor  # noqa: E402

SCALES = [64, 96, 128]
CROP = 64
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
IMAGES = [("landscape/wide.png", 150, 100), ("portrait/tall.png", 90, 140), ("portrait/square.png", 128, 128),
          ("landscape/small.png", 40, 30)]


def blobs(rng, width, height):
    """Smooth random colour blobs on a random background with a little pixel noise, 8-bit RGB."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.zeros((height, width, 3)) + rng.uniform(40, 215, size=3)
    for _ in range(6):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(4, 0.3 * min(width, height))
        image += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius ** 2))[:, :, None] * rng.uniform(-150, 150, 3)
    image += rng.normal(0, 6, size=image.shape)
    return Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8), "RGB")


def resize_short(width, height, size):
    """torchvision 0.14 _compute_resized_output_size for [size] -> (width', height')."""
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def top5(probabilities):
    """Higher probability first; ties (none expected) by the lower class index."""
    return sorted(range(len(probabilities)), key=lambda c: (-probabilities[c], c))[:5]


def main(folder):
    torch.set_num_threads(2)
    model = torchvision.models.resnet18().eval()
    model.load_state_dict({k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
                           for k, v in model.state_dict().items()})
    rng = np.random.default_rng(20240923)
    fixture = {"generator": "tools/reference/resnet_dense_fixtures.py", "torch": torch.__version__,
               "torchvision": torchvision.__version__, "model": "resnet18", "weights": "hashed_weights.py",
               "scales": SCALES, "crop": CROP, "mean": MEAN, "std": STD, "images": []}
    for rel, width, height in IMAGES:
        path = os.path.join(folder, "images", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        blobs(rng, width, height).save(path, "PNG", optimize=True)
        image = Image.open(path).convert("RGB")  # what torchvision's pil_loader gives
        probabilities = torch.zeros(1000, dtype=torch.float64)
        views = []
        with torch.no_grad():
            for q in SCALES:
                resized = F.resize(image, [q])
                assert resized.size == resize_short(width, height, q)
                logits = model(F.normalize(F.to_tensor(resized), MEAN, STD).unsqueeze(0))[0]
                probabilities += torch.softmax(logits.double(), 0) / len(SCALES)
                views.append({"scale": q, "size": list(resized.size), "top1": int(logits.argmax())})
        p = probabilities.tolist()
        best = top5(p)
        ordered = sorted(p, reverse=True)
        gap = min(ordered[i] - ordered[i + 1] for i in range(5))  # between the top five, and the 5th and 6th
        fixture["images"].append({"path": rel, "size": [width, height], "views": views, "top5": best,
                                  "min_top5_gap": gap, "probabilities": [float(f"{v:.10g}") for v in p]})
        print(f"{rel:22s} {width}x{height}  top5 {best}  p {[round(p[c], 5) for c in best]}  "
              f"min gap {gap:.2e}  per-scale top1 {[v['top1'] for v in views]}")
    out = os.path.join(folder, "resnet18_dense.json.gz")
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as f:
        f.write((json.dumps(fixture, separators=(",", ":")) + "\n").encode())
    print(f"wrote {out} ({os.path.getsize(out):,d} bytes) and {len(IMAGES)} images")


if __name__ == "__main__":
    main(sys.argv[1])
