package org.nd4j.nativeblas;

import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compatibility shim, not part of RepZoo's API (org.repzoo.compat's README). DL4J 1.0.0-M2.1's
 * {@code BaseMKLDNNHelper} still looks up this class by its pre-M2 name and method ({@code isUseMKLDNN}); finding
 * neither, it silently switches the oneDNN layer helpers off. This class answers that lookup by asking the real,
 * renamed environment ({@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}). Reflection
 * keeps it compiling without the CPU backend: where that class is absent (the CUDA backend) the answer is false, said
 * nothing about; any other failure to ask is logged once as a warning, since it turns oneDNN off.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    public static final class Environment {

        private static final Logger LOG = LoggerFactory.getLogger(Nd4jCpu.class);
        private static final Environment INSTANCE = new Environment();
        private static final String NATIVE_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private volatile Method useOneDnn;
        private volatile Object nativeEnvironment;
        private volatile boolean warned;

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            try {
                if (useOneDnn == null) {
                    Class<?> environment = Class.forName(NATIVE_ENVIRONMENT);
                    nativeEnvironment = environment.getMethod("getInstance").invoke(null);
                    useOneDnn = environment.getMethod("isUseONEDNN");
                }
                return (Boolean) useOneDnn.invoke(nativeEnvironment);
            } catch (ClassNotFoundException e) {
                return false; // no CPU backend on the class path: nothing to switch on
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                if (!warned) {
                    warned = true;
                    LOG.warn("oneDNN is off: DL4J's helper check could not ask ND4J's native environment ({}: {})",
                            e.getClass().getSimpleName(), e.getMessage());
                }
                return false;
            }
        }
    }
}
