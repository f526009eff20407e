/**
 * The ImageNet test protocols of the papers as data: a {@link org.repzoo.evaluation.protocol.Protocol} lists, for an
 * image of a given size, its weighted {@link org.repzoo.evaluation.protocol.View}s (scale, crop box, mirror, output
 * size, network), and the score of an image is the weighted sum of the views' soft-max posteriors. The geometry is
 * {@code docs/PROTOCOLS.md} (P1–P4, §1.2–1.5, §2.2, §3.1, §4.2), built from the one shorter-side resize and the one
 * centre-offset rule of {@link org.repzoo.evaluation.image}; nothing here touches pixels.
 */
package org.repzoo.evaluation.protocol;
