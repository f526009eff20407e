package org.repzoo.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.repzoo.zoo.core.SettingException;

/** Starts the Spark context RepZoo's commands run on. */
public final class SparkContexts {

    /** The master when none is given: every core of this machine, in this JVM. */
    public static final String LOCAL = "local[*]";

    private SparkContexts() {
    }

    /**
     * A context for {@code master}; null or blank takes the master spark-submit set ({@code spark.master}), else
     * {@link #LOCAL}.
     *
     * @throws IOException when a standalone master ({@code spark://}) cannot be reached, or Spark gives up on it
     */
    public static JavaSparkContext start(String appName, String master) throws IOException {
        // new SparkConf() reads the spark.* system properties spark-submit passes.
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null && !master.isBlank()) {
            conf.setMaster(checkMaster(master.trim()));
        } else {
            conf.setIfMissing("spark.master", LOCAL);
        }
        // A local run does not need the web UI, whose Jetty start-up costs about a second.
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        // Sample lists and per-partition counts are small, but a partition's per-image prediction lines add up.
        conf.setIfMissing("spark.driver.maxResultSize", "2g");
        String url = conf.get("spark.master");
        if (url.startsWith("spark://")) {
            requireReachable(url);
        }
        try {
            return new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            // A standalone master that stops answering during registration: Spark retries for about a minute, stops
            // the half-built context and its constructor fails with a NullPointerException.
            throw new IOException("cannot start Spark on " + url + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("")), e);
        }
    }

    /**
     * Refuses a standalone master none of whose addresses accept a connection within {@link #CONNECT_TIMEOUT_MS}:
     * Spark itself would retry for a minute and then fail with an error that does not name the master.
     */
    static void requireReachable(String url) throws IOException {
        String hosts = url.substring("spark://".length());
        List<String> problems = new ArrayList<>();
        for (String address : hosts.split(",")) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            String portText = colon < 0 ? "7077" : address.substring(colon + 1);
            if (!portText.matches("\\d{1,5}") || host.isEmpty()) {
                return; // a form this check does not read (IPv6, a path): Spark's own registration decides
            }
            int port = Integer.parseInt(portText);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                problems.add(address + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage()) + ")");
            }
        }
        throw new IOException("the Spark master " + url + " cannot be reached: " + String.join(", ", problems));
    }

    /** How long {@link #requireReachable} waits for a master to accept a connection. */
    static final int CONNECT_TIMEOUT_MS = 10_000;

    /**
     * {@code master} if it has one of Spark's master URL forms (null and blank pass: no master given).
     *
     * @throws SettingException ({@code master}) for anything else
     */
    public static String checkMaster(String master) {
        if (master == null || master.isBlank()) {
            return master;
        }
        if (!master.matches("local(\\[(\\*|\\d+)(,\\d+)?])?|local-cluster\\[.*]|yarn|(spark|k8s|mesos)://.+")) {
            throw new SettingException("master", "'" + master + "' is not a Spark master URL (local[N], "
                    + "spark://host:port, yarn, k8s://..., mesos://...)");
        }
        return master;
    }
}
