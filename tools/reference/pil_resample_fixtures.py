#!/usr/bin/python3
"""Fixtures for the evaluation module's image preprocessing, computed with Pillow and torchvision 0.14.

Writes into the output folder (evaluation/src/test/resources/preprocessing):
  * resample/: images resized with PIL.Image.resize (BILINEAR, BICUBIC; no box, no reducing_gap, as
    torchvision's F.resize calls it), from two sources: the synthetic image of
    docs/PROTOCOLS.md §4.1's pixel example (regenerated in Java from its formula; its SHA-256 is recorded)
    and a seeded random-noise image (stored).
  * geometry/: F.center_crop (including the zero-padded case) and F.hflip of synth(50, 37).
  * transforms/: the float32 [3, H, W] output of whole preprocessing chains on synth(300, 260):
    ResNet50_Weights.IMAGENET1K_V1.transforms() (bilinear), EfficientNet_B0_Weights.IMAGENET1K_V1.transforms()
    (bicubic), and Caffe-style (resize 256, crop 224, BGR, 0..255 minus the mean pixel, computed in float32).
  * decode/: small PNG/GIF/BMP/JPEG files written by Pillow in the modes ImageNet loaders meet (L, LA, P, P with
    transparency, RGBA, 1-bit, 16-bit grey; JPEG 4:2:0, 4:2:2, 4:4:4, progressive, grey, CMYK) and the bytes of
    Image.open(f).convert("RGB"), which is torchvision's pil_loader.
  * fixtures.json: the index of all of the above.
Expected RGB images are 8-bit RGB PNG files; float tensors are raw little-endian float32 in CHW order, gzipped.

    apt-get install python3-pil python3-torchvision
    /usr/bin/python3 tools/reference/pil_resample_fixtures.py evaluation/src/test/resources/preprocessing
"""
import gzip
import hashlib
import io
import json
import os
import sys

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.models import EfficientNet_B0_Weights, ResNet50_Weights

FILTERS = {"BILINEAR": Image.BILINEAR, "BICUBIC": Image.BICUBIC}
NOISE_SEED = 20240601


def synth(width, height):
    """pixel_examples.py's test image: R = 255x/(W-1), G = 255y/(H-1) (floored), B = 25-px checkerboard."""
    x = np.arange(width)[None, :].repeat(height, 0)
    y = np.arange(height)[:, None].repeat(width, 1)
    r = (255 * x) // (width - 1)
    g = (255 * y) // (height - 1)
    b = (((x // 25) + (y // 25)) % 2) * 255
    return Image.fromarray(np.stack([r, g, b], -1).astype(np.uint8), "RGB")


def noise(width, height):
    rng = np.random.default_rng(NOISE_SEED)
    return Image.fromarray(rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8), "RGB")


class Writer:
    def __init__(self, root):
        self.root = root

    def bytes(self, name, data, compress=True):
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(gzip.compress(data, mtime=0) if compress else data)
        return name

    def rgb(self, name, image):
        """8-bit RGB PNG: lossless, and its filters shrink the smooth test images far more than gzip."""
        assert image.mode == "RGB"
        buffer = io.BytesIO()
        # A fresh image: convert() keeps info such as "transparency", which would add a tRNS chunk.
        Image.frombytes("RGB", image.size, image.tobytes()).save(buffer, "PNG", optimize=True)
        return self.bytes(name + ".png", buffer.getvalue(), compress=False)

    def chw(self, name, tensor):
        return self.bytes(name + ".f32.gz", tensor.contiguous().numpy().astype("<f4").tobytes())


def source_entry(image):
    raw = np.asarray(image, dtype=np.uint8).tobytes()
    return {"width": image.width, "height": image.height, "sha256": hashlib.sha256(raw).hexdigest()}


def resample_cases(writer):
    sources = {
        "synth_500x375": (synth(500, 375), [(97, 73), (341, 256), (500, 61), (183, 375)]),
        "synth_50x37": (synth(50, 37), [(123, 91), (50, 80), (77, 37), (31, 60)]),
        "noise_61x47": (noise(61, 47), [(29, 19), (37, 47), (61, 23), (7, 5), (1, 1), (79, 53), (100, 20),
                                        (61, 47)]),
    }
    index, cases = {}, []
    for name, (image, sizes) in sources.items():
        entry = source_entry(image)
        if name.startswith("noise"):
            entry["file"] = writer.rgb(f"resample/{name}", image)
            entry["seed"] = NOISE_SEED
        else:
            entry["synthetic"] = True
        index[name] = entry
        for (width, height) in sizes:
            for filter_name, pil_filter in FILTERS.items():
                if name == "synth_500x375" and (width, height) == (341, 256) and filter_name == "BICUBIC":
                    continue
                out = image.resize((width, height), pil_filter)
                if (width, height) == image.size:
                    # PIL returns a copy: the expected image is the source itself.
                    assert out.tobytes() == image.tobytes() and "file" in entry
                    file = entry["file"]
                else:
                    file = writer.rgb(f"resample/{name}_{filter_name.lower()}_{width}x{height}", out)
                cases.append({"source": name, "filter": filter_name, "width": width, "height": height,
                              "file": file})
    return index, cases


def geometry_cases(writer):
    """torchvision's F.center_crop (round-half-even offsets, zero padding when the crop is larger) and F.hflip."""
    image = synth(50, 37)
    cases = []
    for size in [44, 55, 41, 37, 12]:
        out = F.center_crop(image, [size])
        cases.append({"source": "synth_50x37", "op": "center_crop", "size": size,
                      "file": writer.rgb(f"geometry/synth_50x37_center_crop_{size}", out)})
    cases.append({"source": "synth_50x37", "op": "hflip",
                  "file": writer.rgb("geometry/synth_50x37_hflip", F.hflip(image))})
    return cases


def preset_entry(transform):
    return {"resizeSize": transform.resize_size[0], "cropSize": transform.crop_size[0],
            "interpolation": transform.interpolation.name, "mean": list(transform.mean),
            "std": list(transform.std), "channelOrder": "RGB", "scale": 1}


def transform_cases(writer):
    image = synth(300, 260)
    cases = []
    for name, weights in [("resnet50_v1", ResNet50_Weights.IMAGENET1K_V1),
                          ("efficientnet_b0_v1", EfficientNet_B0_Weights.IMAGENET1K_V1)]:
        transform = weights.transforms()
        out = transform(image)
        cases.append({"name": name, "preset": preset_entry(transform), "source": "synth_300x260",
                      "shape": list(out.shape), "file": writer.chw(f"transforms/synth_300x260_{name}", out)})
    # Caffe-style: no torchvision equivalent, so torchvision's resize/crop, then the arithmetic in float32.
    mean, std = [103.939, 116.779, 123.68], [1.0, 1.0, 1.0]
    crop = np.asarray(F.center_crop(F.resize(image, [256]), [224]))[:, :, ::-1].astype(np.float32)
    caffe = (crop - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    out = torch.from_numpy(np.ascontiguousarray(caffe.transpose(2, 0, 1)))
    cases.append({"name": "caffe", "source": "synth_300x260", "shape": list(out.shape),
                  "preset": {"resizeSize": 256, "cropSize": 224, "interpolation": "BILINEAR", "mean": mean,
                             "std": std, "channelOrder": "BGR", "scale": 255},
                  "file": writer.chw("transforms/synth_300x260_caffe", out)})
    return cases


def decode_cases(writer):
    base = noise(24, 16)
    grey = base.convert("L")
    palette = base.quantize(colors=37, method=Image.Quantize.MEDIANCUT)
    palette16 = base.quantize(colors=16, method=Image.Quantize.MEDIANCUT)
    transparent = palette.copy()
    transparent.info["transparency"] = 3
    rgba = base.copy()
    rgba.putalpha(Image.fromarray((np.arange(24 * 16).reshape(16, 24) % 256).astype(np.uint8), "L"))
    grey_alpha = rgba.convert("LA")
    bilevel = grey.convert("1")
    grey16 = Image.fromarray((np.arange(24 * 16, dtype=np.uint16).reshape(16, 24) * 3).astype(np.uint16))
    smooth = synth(48, 32)
    # CMYK with K rising across the image, so convert("RGB") exercises cmyk2rgb's K term (rgb2cmyk gives K = 0).
    ramp = (np.add.outer(np.arange(32), np.arange(48)) * 255 // (32 + 48 - 2)).astype(np.uint8)
    cmyk = Image.fromarray(np.dstack([np.asarray(smooth), ramp]), "CMYK")
    files = [
        ("rgb.png", base, "PNG", {}),
        ("grey.png", grey, "PNG", {}),
        ("grey_alpha.png", grey_alpha, "PNG", {}),
        ("palette.png", palette, "PNG", {}),
        ("palette16.png", palette16, "PNG", {}),
        ("palette_transparent.png", transparent, "PNG", {"transparency": 3}),
        ("rgba.png", rgba, "PNG", {}),
        ("bilevel.png", bilevel, "PNG", {}),
        ("grey16.png", grey16, "PNG", {}),
        ("palette.gif", palette, "GIF", {}),
        ("rgb.bmp", base, "BMP", {}),
        ("palette.bmp", palette, "BMP", {}),
        ("rgb.jpg", smooth, "JPEG", {"quality": 92}),
        ("rgb444.jpg", smooth, "JPEG", {"quality": 92, "subsampling": 0}),
        ("rgb422.jpg", smooth, "JPEG", {"quality": 92, "subsampling": 1}),
        ("progressive.jpg", smooth, "JPEG", {"quality": 80, "progressive": True}),
        ("grey.jpg", smooth.convert("L"), "JPEG", {"quality": 92}),
        ("cmyk.jpg", cmyk, "JPEG", {"quality": 92}),
    ]
    cases = []
    for name, image, file_format, options in files:
        buffer = io.BytesIO()
        image.save(buffer, file_format, **options)
        writer.bytes("decode/" + name, buffer.getvalue(), compress=False)
        opened = Image.open(io.BytesIO(buffer.getvalue()))
        converted = opened.convert("RGB")
        cases.append({"file": "decode/" + name, "pilMode": opened.mode, "width": converted.width,
                      "height": converted.height, "expected": writer.rgb(f"decode/{name}.pil", converted)})
    return cases


def main(root):
    writer = Writer(root)
    sources, resample = resample_cases(writer)
    sources["synth_300x260"] = dict(source_entry(synth(300, 260)), synthetic=True)
    index = {
        "generator": "tools/reference/pil_resample_fixtures.py",
        "pillow": PIL.__version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
        "sources": sources, "resample": resample, "geometry": geometry_cases(writer),
        "transforms": transform_cases(writer),
        "decode": decode_cases(writer),
    }
    with open(os.path.join(root, "fixtures.json"), "w") as out:
        json.dump(index, out, indent=1)
        out.write("\n")
    total = sum(os.path.getsize(os.path.join(folder, f)) for folder, _, names in os.walk(root) for f in names)
    print(f"wrote {len(resample)} resample, {len(index['geometry'])} geometry, {len(index['transforms'])} transform "
          f"and {len(index['decode'])} decode fixtures ({total} bytes) to {root}")


if __name__ == "__main__":
    main(sys.argv[1])
