#!/usr/bin/python3
"""Fixtures for the evaluation protocols (docs/PROTOCOLS.md), computed with torchvision 0.14 and PyTorch 1.13.

Writes into the output folder (evaluation/src/test/resources/protocols):
  * views.json.gz: every protocol's views for several image sizes, each view written compactly as
    [scale, x0, y0, x1, y1, mirrored 0/1, output size (-1: the whole resized image), network 0 = classifier /
    1 = fully convolutional], with the weight each view has in the protocol's average. Boxes that torchvision defines are read back from torchvision itself, by running
    F.center_crop / F.five_crop / F.ten_crop on coordinate-encoded tensors (channel 0 = x, channel 1 = y), as the
    worked examples of docs/PROTOCOLS.md §6 were checked; the VGG grid and the GoogLeNet squares, which no library
    implements, follow docs/PROTOCOLS.md §1.4 and §2.2, with the squares' inner crops again taken by five_crop.
  * evalset/images/CLASS/FILE: a tiny ImageNet-style folder tree (3 classes, 6 images of 26..45 pixels, PNG in
    RGB, grey, palette and RGBA modes, and a baseline JPEG).
  * evalset/model.json: two tiny convolutional nets (conv 5x5/4 + ReLU, conv 3x3/2 + ReLU, global average pool,
    linear to 7 classes) with seeded weights, in PyTorch layout.
  * evalset/expected.json: for each image and protocol at resize 73 / crop 64 (the papers' scales times 64/224, to
    keep the tests fast), the posterior (softmax averaged over views with the
    protocol's weights; the logits themselves for one-view protocols) that an independent implementation
    (PIL decoding, torchvision transforms, the nets in PyTorch, float32 nets, float64 averaging) gives, and the
    same for the two-net ensemble.

    apt-get install python3-pil python3-torchvision
    /usr/bin/python3 tools/reference/eval_protocol_fixtures.py evaluation/src/test/resources/protocols
"""
import gzip
import io
import json
import os
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
CLASSES = 7


def rint(v):
    """Python's round() on floats rounds half to even, as Java's Math.rint."""
    return int(round(v))


def resize_short(width, height, size):
    """torchvision 0.14 _compute_resized_output_size for [size] -> (width', height')."""
    if width <= height:
        return size, int(size * height / width)
    return int(size * width / height), size


def coordinates(width, height):
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float32), torch.arange(width, dtype=torch.float32),
                            indexing="ij")
    return torch.stack([xs, ys, torch.zeros_like(xs)])


def box_of(crop):
    """[x0, y0, x1, y1) in un-flipped coordinates, and whether the crop is mirrored."""
    xs, ys = crop[0], crop[1]
    mirrored = bool(xs[0, 0] > xs[0, -1]) if xs.shape[1] > 1 else False
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1], mirrored


def view(scale, box, mirrored, size, network="classifier"):
    return {"scale": scale, "box": box, "mirrored": mirrored, "size": size, "network": network}


# ---------------------------------------------------------------------------------------------------------------
# Protocols: each a function (width, height) -> [(view, weight)], in the order RepZoo lists them.

def centre(scales, crop):
    def views(width, height):
        out = []
        for q in scales:
            rw, rh = resize_short(width, height, q)
            box, mirrored = box_of(F.center_crop(coordinates(rw, rh), [crop]))
            out.append((view(q, box, mirrored, crop), 1.0 / len(scales)))
        return out
    return views


def ten_crop(scale, crop):
    def views(width, height):
        rw, rh = resize_short(width, height, scale)
        out = []
        for patch in F.ten_crop(coordinates(rw, rh), [crop]):
            box, mirrored = box_of(patch)
            out.append((view(scale, box, mirrored, crop), 0.1))
        return out
    return views


def grid(scales, crop, cells=5):
    """§1.4: x_i = rint(i (W' - c) / 4), y_j likewise; per scale the 25 boxes row by row, then their mirrors."""
    def views(width, height):
        out = []
        weight = 1.0 / (2 * cells * cells * len(scales))
        for q in scales:
            rw, rh = resize_short(width, height, q)
            xs = [rint(i * (rw - crop) / (cells - 1)) for i in range(cells)]
            ys = [rint(j * (rh - crop) / (cells - 1)) for j in range(cells)]
            boxes = [[x, y, x + crop, y + crop] for y in ys for x in xs]
            out += [(view(q, b, False, crop), weight) for b in boxes]
            out += [(view(q, b, True, crop), weight) for b in boxes]
        return out
    return views


def googlenet(scales, crop):
    """§2.2: per scale, the first/middle/last square of the resized image; in each the five_crop boxes and the
    whole square resized to the crop; those six, then their mirrors."""
    def views(width, height):
        out = []
        weight = 1.0 / (36 * len(scales))
        for s in scales:
            rw, rh = resize_short(width, height, s)
            longer = max(rw, rh)
            for o in [0, rint((longer - s) / 2.0), longer - s]:
                sx, sy = (o, 0) if rw >= rh else (0, o)
                square = coordinates(rw, rh)[:, sy:sy + s, sx:sx + s]
                six = []
                for patch in F.five_crop(square, [crop]):
                    box, _ = box_of(patch)
                    six.append(view(s, box, False, crop))
                six.append(view(s, [sx, sy, sx + s, sy + s], False, crop))
                out += [(v, weight) for v in six]
                out += [(dict(v, mirrored=True), weight) for v in six]
        return out
    return views


def dense(scales, flip=True):
    def views(width, height):
        out = []
        weight = 1.0 / ((2 if flip else 1) * len(scales))
        for q in scales:
            rw, rh = resize_short(width, height, q)
            for mirrored in ([False, True] if flip else [False]):
                out.append((view(q, [0, 0, rw, rh], mirrored, -1, "fully_convolutional"), weight))
        return out
    return views


def compact(v):
    return [v["scale"], *v["box"], int(v["mirrored"]), v["size"], int(v["network"] != "classifier")]


def average(*parts):
    def views(width, height):
        out = []
        for part in parts:
            out += [(v, w / len(parts)) for v, w in part(width, height)]
        return out
    return views


VGG_SCALES = [256, 384, 512]
GOOGLENET_SCALES = [256, 288, 320, 352]


def protocols(resize, crop):
    """The protocols with the defaults RepZoo gives them for a preset (resize, crop)."""
    # The papers' scales are for 224 crops; for other crops RepZoo scales them by crop / 224 (docs/PROTOCOLS.md
    # §3.2's rule for GoogLeNet at 299, applied to VGG's scales too).
    v_scales = [rint(s * crop / 224) for s in VGG_SCALES]
    g_scales = [rint(s * crop / 224) for s in GOOGLENET_SCALES]
    return {
        "single": centre([resize], crop),
        "multi-scale": centre(v_scales, crop),
        "ten-crop": ten_crop(resize, crop),
        "multi-crop": grid(v_scales, crop),
        "googlenet-144": googlenet(g_scales, crop),
        "dense": dense(v_scales),
        "dense+multi-crop": average(dense(v_scales), grid(v_scales, crop)),
    }


# The image set runs at a small input (the protocols' scales follow the crop, x 64/224) to keep the tests fast;
# the view fixtures above cover the 224 and 299 geometry.
EVALSET_PRESET = (73, 64)
SIZES = [(500, 375), (375, 500), (500, 333), (200, 150), (333, 333), (640, 427), (256, 341)]
PRESETS = [(256, 224), (342, 299)]


def views_fixture():
    cases = []
    for resize, crop in PRESETS:
        for name, plan in protocols(resize, crop).items():
            for width, height in SIZES:
                views = plan(width, height)
                cases.append({"protocol": name, "resize": resize, "crop": crop, "input": [width, height],
                              "views": [compact(v) for v, _ in views], "weights": [w for _, w in views]})
    # Options the command line offers: other scales, no flips.
    extra = [("multi-scale", {"scales": [224, 256, 288]}, centre([224, 256, 288], 224)),
             ("dense", {"scales": [224, 256, 384, 480, 640], "flip": False}, dense([224, 256, 384, 480, 640], False)),
             ("multi-crop", {"scales": [352, 384, 416]}, grid([352, 384, 416], 224))]
    for name, options, plan in extra:
        for width, height in SIZES:
            views = plan(width, height)
            cases.append(dict({"protocol": name, "resize": 256, "crop": 224, "input": [width, height],
                               "views": [compact(v) for v, _ in views], "weights": [w for _, w in views]},
                              **options))
    return cases


# ---------------------------------------------------------------------------------------------------------------
# The image set and the nets.

def blobs(rng, width, height):
    """Smooth random colour blobs: a few Gaussians per channel on a random background, 8-bit."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.zeros((height, width, 3)) + rng.uniform(0, 255, size=3)
    for _ in range(4):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(3, 12)
        colour = rng.uniform(-200, 200, size=3)
        image += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius ** 2))[:, :, None] * colour
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), "RGB")


def image_set(rng):
    """(relative path, PIL image to save, save format and options)."""
    files = [
        ("bird/b1.png", blobs(rng, 40, 30), "PNG", {}),
        ("bird/b2.jpg", blobs(rng, 30, 40), "JPEG", {"quality": 90}),
        ("cat/c1.png", blobs(rng, 33, 33).convert("L"), "PNG", {}),
        ("cat/c2.png", blobs(rng, 45, 26).quantize(colors=24), "PNG", {}),
        ("dog/d1.png", blobs(rng, 26, 45).convert("RGBA"), "PNG", {}),
        ("dog/d2.png", blobs(rng, 37, 29), "PNG", {}),
    ]
    return files


class TinyNet(torch.nn.Module):
    def __init__(self, generator):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 5, stride=4)
        self.conv2 = torch.nn.Conv2d(4, 6, 3, stride=2)
        self.fc = torch.nn.Linear(6, CLASSES)
        with torch.no_grad():
            for p, std in [(self.conv1.weight, 0.3), (self.conv1.bias, 0.1), (self.conv2.weight, 0.4),
                           (self.conv2.bias, 0.1), (self.fc.weight, 1.0), (self.fc.bias, 0.0)]:
                p.copy_(torch.randn(p.shape, generator=generator) * std)

    def features(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x)))).mean(dim=(2, 3))

    def forward(self, x):
        return self.fc(self.features(x))

    def centre(self, inputs):
        """Sets the bias to -W mean(features) over the inputs, so that no class wins on every image."""
        with torch.no_grad():
            self.fc.bias.copy_(-self.fc.weight @ self.features(inputs).mean(dim=0))


def patch(image, v):
    resized = F.resize(image, [v["scale"]])  # PIL: antialiased bilinear, torchvision's integer size rule
    assert list(resized.size) == list(resize_short(image.width, image.height, v["scale"]))
    x0, y0, x1, y1 = v["box"]
    out = F.crop(resized, y0, x0, y1 - y0, x1 - x0)
    if v["size"] > 0 and out.size != (v["size"], v["size"]):
        out = F.resize(out, [v["size"], v["size"]])
    return F.hflip(out) if v["mirrored"] else out


def tensor(image):
    return F.normalize(F.to_tensor(image), MEAN, STD)


def posterior(nets, image, plan):
    """Softmax per view, weighted sum over views, mean over nets; one net and one view: the logits."""
    views = plan(image.width, image.height)
    result = torch.zeros(CLASSES, dtype=torch.float64)
    for net in nets:
        for v, w in views:
            logits = net(tensor(patch(image, v)).unsqueeze(0))[0]
            if len(views) == 1 and len(nets) == 1:
                return logits.double()
            result += w * torch.softmax(logits.double(), 0) / len(nets)
    return result


def write_image_set(root):
    rng = np.random.default_rng(20240607)
    generator = torch.Generator().manual_seed(7)
    nets = [TinyNet(generator).eval(), TinyNet(generator).eval()]
    images = []
    for rel, image, fmt, options in image_set(rng):
        path = os.path.join(root, "evalset", "images", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        with open(path, "wb") as out:
            out.write(buffer.getvalue())
        images.append((rel, Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")))  # pil_loader
    plans = protocols(*EVALSET_PRESET)
    singles = torch.stack([tensor(patch(image, plans["single"](image.width, image.height)[0][0]))
                           for _, image in images])
    for net in nets:
        net.centre(singles)
    model = {"classes": CLASSES, "nets": [{k: v.flatten().tolist() for k, v in net.state_dict().items()}
                                          for net in nets],
             "shapes": {k: list(v.shape) for k, v in nets[0].state_dict().items()}}
    expected = {"classes": ["bird", "cat", "dog"], "preset": {"resize": EVALSET_PRESET[0], "crop": EVALSET_PRESET[1]},
                "images": []}
    with torch.no_grad():
        for rel, image in images:
            entry = {"path": rel, "label": ["bird", "cat", "dog"].index(rel.split("/")[0]),
                     "size": [image.width, image.height], "posteriors": {}, "ensemble": {}}
            for name, plan in plans.items():
                entry["posteriors"][name] = posterior(nets[:1], image, plan).tolist()
            for name in ["single", "ten-crop", "dense"]:
                entry["ensemble"][name] = posterior(nets, image, plans[name]).tolist()
            expected["images"].append(entry)
    with open(os.path.join(root, "evalset", "model.json"), "w") as out:
        json.dump(model, out)
        out.write("\n")
    with open(os.path.join(root, "evalset", "expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
        out.write("\n")


def main(root):
    os.makedirs(root, exist_ok=True)
    index = {"generator": "tools/reference/eval_protocol_fixtures.py", "torch": torch.__version__,
             "torchvision": torchvision.__version__, "cases": views_fixture()}
    with gzip.open(os.path.join(root, "views.json.gz"), "wt", compresslevel=9) as out:
        json.dump(index, out, separators=(",", ":"))
        out.write("\n")
    write_image_set(root)
    print(f"wrote {len(index['cases'])} view lists and the evalset to {root}")


if __name__ == "__main__":
    main(sys.argv[1])
