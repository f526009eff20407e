package org.repzoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.repzoo.training.data.TrainingData;

/**
 * Finds Fashion-MNIST for the demo: the path given, or Debian's {@code dataset-fashion-mnist}, which it installs with
 * apt-get (saying so) when it is missing and the demo runs as root; otherwise one line says how to get it.
 */
final class FashionMnist {

    private static final String PACKAGE = "dataset-fashion-mnist";
    static final String HINT = "apt-get install dataset-fashion-mnist, or point --data at the folder of the IDX files"
            + " (train-images-idx3-ubyte[.gz] ...)";

    private FashionMnist() {
    }

    static String ensure(String data, boolean mayInstall, PrintWriter out) throws IOException, InterruptedException {
        if (!TrainingData.FASHION_MNIST_NAME.equals(data) || Files.isDirectory(TrainingData.FASHION_MNIST)) {
            return data;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean apt = Files.isExecutable(Path.of("/usr/bin/apt-get"));
        if (!mayInstall || !root || !apt) {
            throw new IOException("Fashion-MNIST is not in " + TrainingData.FASHION_MNIST + ": " + HINT);
        }
        out.println("repzoo: Fashion-MNIST is not installed; installing the Debian package " + PACKAGE
                + " (apt-get install -y " + PACKAGE + ")");
        out.flush();
        if (aptGet("install", "-y", PACKAGE) != 0 && (aptGet("update") != 0 || aptGet("install", "-y", PACKAGE) != 0)) {
            throw new IOException("apt-get install " + PACKAGE + " failed (see above); install it, or point --data at "
                    + "the IDX files");
        }
        if (!Files.isDirectory(TrainingData.FASHION_MNIST)) {
            throw new IOException(PACKAGE + " is installed but " + TrainingData.FASHION_MNIST + " is missing");
        }
        return data;
    }

    private static int aptGet(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "apt-get";
        System.arraycopy(args, 0, command, 1, args.length);
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start().waitFor();
    }
}
