package org.repzoo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/** What a benchmark ran on, for its report: the processor and the ND4J native build. */
public final class Machine {

    private Machine() {
    }

    /** The processor's name from /proc/cpuinfo, or os.arch. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: the architecture is all there is
        }
        return System.getProperty("os.arch");
    }

    /**
     * Which nd4j-native build runs (e.g. linux-x86_64-onednn): the folder JavaCPP loaded libnd4j's JNI library from.
     * Several builds can be on the class path; JavaCPP takes the first of its extension list that is there.
     */
    public static String nativeBuild() {
        Nd4j.getExecutioner(); // loads the native library if nothing has yet
        for (String path : Loader.getLoadedLibraries().values()) {
            if (path != null && path.contains("jnind4jcpu")) {
                Path parent = Path.of(path).getParent();
                return parent == null ? path : parent.getFileName().toString();
            }
        }
        return "unknown";
    }
}
