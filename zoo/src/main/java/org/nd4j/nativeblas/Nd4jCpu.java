package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim, not part of RepZoo's API. DL4J 1.0.0-M2.1's {@code BaseMKLDNNHelper} still looks up this
 * class by its pre-M2 name and method ({@code isUseMKLDNN}); finding neither, it silently switches the oneDNN
 * layer helpers off. This class answers that lookup by asking the real, renamed environment
 * ({@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}). Reflection keeps it
 * compiling under the CUDA profile, where that class is absent (and the answer is false).
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    public static final class Environment {

        private static final Environment INSTANCE = new Environment();
        private static final String NATIVE_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            try {
                Class<?> environment = Class.forName(NATIVE_ENVIRONMENT);
                Object instance = environment.getMethod("getInstance").invoke(null);
                Method useOneDnn = environment.getMethod("isUseONEDNN");
                return (Boolean) useOneDnn.invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
