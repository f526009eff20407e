package org.repzoo.spark;

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
     */
    public static JavaSparkContext start(String appName, String master) {
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
        return new JavaSparkContext(conf);
    }

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
