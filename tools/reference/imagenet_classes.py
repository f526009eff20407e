#!/usr/bin/python3
"""Writes the 1000 ImageNet-1k class names, one per line in class-index order, from torchvision 0.14's
torchvision.models._meta._IMAGENET_CATEGORIES (the names every torchvision weights' meta["categories"] uses).

    apt-get install python3-torchvision
    /usr/bin/python3 tools/reference/imagenet_classes.py \
        evaluation/src/main/resources/org/repzoo/evaluation/imagenet_classes.txt
"""
import sys

import torchvision
from torchvision.models._meta import _IMAGENET_CATEGORIES


def main(path):
    names = list(_IMAGENET_CATEGORIES)
    if len(names) != 1000 or any("\n" in name or name != name.strip() or not name for name in names):
        raise SystemExit(f"unexpected category list in torchvision {torchvision.__version__}")
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("".join(name + "\n" for name in names))
    print(f"wrote {len(names)} names from torchvision {torchvision.__version__} to {path}")


if __name__ == "__main__":
    main(sys.argv[1])
