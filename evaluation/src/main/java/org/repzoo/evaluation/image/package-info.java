/**
 * Image preprocessing exact to torchvision 0.14 on PIL images ({@code weights.transforms()}): decoding like
 * {@code Image.open(f).convert("RGB")}, Pillow's antialiased resampling ported from {@code Resample.c}, the
 * shorter-side resize and centre crop of {@code torchvision.transforms.functional}, and normalisation to a float CHW
 * array. The rules and their worked examples are in {@code docs/PROTOCOLS.md} (P1–P7, §4.1, §6.1).
 */
package org.repzoo.evaluation.image;
