package org.repzoo.zoo.inception;

import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;

/**
 * torchvision's {@code BasicConv2d} of GoogLeNet and Inception v3: {@code conv} (no bias), {@code bn} (eps 0.001)
 * and the functional ReLU as the vertex {@code relu}, all under the module's scope.
 */
final class BasicConv2d {

    static final double BN_EPS = 0.001;

    private BasicConv2d() {
    }

    static String apply(GraphScope scope, String input, Conv spec) {
        String x = scope.conv("conv", input, spec.noBias());
        return scope.relu("relu", scope.batchNorm("bn", x, BN_EPS));
    }
}
