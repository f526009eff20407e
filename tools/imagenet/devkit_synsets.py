#!/usr/bin/python3
"""Writes the ILSVRC-2012 devkit's WordNet ids in ILSVRC2012_ID order, one per line, for `repzoo eval --synsets`.

The devkit's ILSVRC2012_validation_ground_truth.txt labels image n with an ILSVRC2012_ID (1..1000) that numbers the
classes in data/meta.mat's order, not the models' (sorted WordNet id) order. RepZoo reads no MATLAB files; this
script turns meta.mat into the plain list RepZoo needs:

    apt-get install python3-scipy
    /usr/bin/python3 tools/imagenet/devkit_synsets.py ILSVRC2012_devkit_t12/data/meta.mat > devkit_synsets.txt
    ./repzoo eval resnet50.zip --data val/ --labels ILSVRC2012_devkit_t12/data/ILSVRC2012_validation_ground_truth.txt \
        --synsets devkit_synsets.txt
"""
import sys

import scipy.io


def main(meta_mat):
    synsets = scipy.io.loadmat(meta_mat, squeeze_me=True)["synsets"]
    leaves = sorted((int(s["ILSVRC2012_ID"]), str(s["WNID"])) for s in synsets if 1 <= int(s["ILSVRC2012_ID"]) <= 1000)
    if [i for i, _ in leaves] != list(range(1, 1001)):
        sys.exit(f"{meta_mat}: expected ILSVRC2012_IDs 1..1000, got {len(leaves)} ids")
    for _, wnid in leaves:
        print(wnid)


if __name__ == "__main__":
    main(sys.argv[1])
