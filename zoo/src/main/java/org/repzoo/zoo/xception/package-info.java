/** Xception (Chollet 2017) as timm's legacy_xception builds it: block rows as data, one builder. */
package org.repzoo.zoo.xception;
