# Sourced by cluster_check.sh and measure.sh: a Spark standalone cluster on this machine (a master and two workers as
# separate JVMs, Spark 3.1.2 from the build's own Maven repository, everything on 127.0.0.1) and spark-submit's entry
# point with RepZoo's fat jar. Callers set ROOT and WORK first.
#
# Heavy: builds with Maven (offline) when a jar is stale, and starts JVMs; run the caller under flock where other
# builds share the machine (not flock inside: the caller's lock would deadlock it).
#
# Environment: SPARK_PORT (master port, default 17077; the web UIs use 18080-18082 and the driver's 14040),
# KEEP_CLUSTER=1 leaves the cluster running at the end, DRIVER_HEAP (the driver's -Xmx, default 1g), SUBMIT_TIMEOUT
# (seconds after which a submitted driver is stopped with SIGTERM; exit code 124).
PORT="${SPARK_PORT:-17077}"
MASTER="spark://127.0.0.1:$PORT"
FLAGS="--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
# SPARK_SCALA_VERSION: a worker builds its executors' command line from SPARK_HOME and, without a Scala version, looks
# for a source build's launcher/target/scala-2.1x folders ("Cannot find any build directories").
export SPARK_LOCAL_IP=127.0.0.1 SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.12
# One OpenMP thread per JVM (driver, executors, the local[2] reference run): the two executors already fill the two
# cores, and ND4J's spinning OpenMP threads on an oversubscribed machine cut training to ~27 images/s per executor
# (measured at load 9; docs/DISTRIBUTED.md's note on ND4J's threads).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
JAR="$ROOT/cli/target/repzoo-spark.jar"
mkdir -p "$WORK/logs"
PIDS=()

say() { printf '[%s %s] %s\n' "$(basename "$0" .sh)" "$(date +%H:%M:%S)" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

stop_cluster() {
  if [[ "${KEEP_CLUSTER:-0}" == 1 ]]; then
    say "cluster left running: master pid ${PIDS[0]:-?}, workers ${PIDS[*]:1}"
    return
  fi
  # Only the JVMs this script started (and the executors their workers started), by process id.
  for pid in "${PIDS[@]}"; do
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

# The command line's jar (for ./repzoo) and the fat jar for spark-submit, rebuilt offline when a POM or main source is
# newer; then a Spark "distribution" from the Maven repository under $SPARK_HOME.
prepare_spark() {
  local stale
  stale="$(find "$ROOT"/pom.xml "$ROOT"/*/src/main "$ROOT"/*/pom.xml -newer "$ROOT/cli/target/repzoo-cli.jar" -type f \
    -print -quit 2>/dev/null || echo missing)"
  if [[ ! -f "$ROOT/cli/target/repzoo-cli.jar" || -n "$stale" ]]; then
    say "building the command line"
    (cd "$ROOT" && mvn -B -ntp -o -q -DskipTests -pl cli -am package)
  fi
  if [[ ! -f "$JAR" || -n "$(find "$ROOT"/pom.xml "$ROOT"/*/src/main "$ROOT"/*/pom.xml -newer "$JAR" -type f -print -quit)" ]]; then
    say "building $JAR"
    (cd "$ROOT" && mvn -B -ntp -o -q -Pspark-fat -DskipTests -pl cli -am package)
    touch "$ROOT/cli/target/repzoo-cli.jar"
  fi
  # (the heredocs below stay at the left margin)
if [[ ! -d "$SPARK_HOME/jars" ]]; then
  say "laying out SPARK_HOME=$SPARK_HOME from the Maven repository (Spark 3.1.2 as the spark module resolves it)"
  (cd "$ROOT" && mvn -B -ntp -o -q dependency:build-classpath -pl spark -am -Dmdep.includeScope=runtime \
      -Dmdep.outputFile=target/module-classpath.txt)
  # Spark's own closure, each artifact pinned to the version the spark module resolved (all in ~/.m2).
  python3 - "$ROOT/spark/target/module-classpath.txt" "$ROOT/tools/spark/spark-home/pom.xml" "$WORK/spark-home-pom.xml" <<'EOF'
import os, re, sys
classpath, template, out = sys.argv[1:]
repo = os.path.expanduser("~/.m2/repository") + "/"
pins = {}
for jar in open(classpath).read().strip().split(":"):
    if not jar.startswith(repo):
        continue
    parts = jar[len(repo):].split("/")
    group, artifact, version = ".".join(parts[:-3]), parts[-3], parts[-2]
    pins[(group, artifact)] = version
managed = "".join("      <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n"
                  % (g, a, v) for (g, a), v in sorted(pins.items()))
pom = open(template).read().replace("<relativePath>../../../pom.xml</relativePath>",
                                    "<relativePath>%s</relativePath>" % os.path.abspath(
                                        os.path.join(os.path.dirname(template), "../../../pom.xml")))
pom = pom.replace("  <dependencyManagement>\n    <dependencies>\n",
                  "  <dependencyManagement>\n    <dependencies>\n" + managed, 1)
open(out, "w").write(pom)
EOF
  mvn -B -ntp -o -q -f "$WORK/spark-home-pom.xml" dependency:build-classpath -Dmdep.outputFile="$WORK/spark-classpath.txt"
  mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
  # Spark's own jars only: the parent POM's dependencies (ND4J's plain linux-x86_64 natives among them) would come
  # first on the executors' class path and load instead of the application's oneDNN build.
  tr ':' '\n' < "$WORK/spark-classpath.txt" | grep -v -E '/(nd4j|deeplearning4j|datavec|javacpp|openblas|mkl|onnxruntime)[^/]*/' \
    | while read -r jar; do ln -sf "$jar" "$SPARK_HOME/jars/"; done
  cat > "$SPARK_HOME/conf/logback.xml" <<'EOF'
<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.spark" level="INFO"/>
  <logger name="org.apache.hadoop" level="WARN"/>
  <logger name="org.sparkproject" level="WARN"/>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
EOF
  say "SPARK_HOME has $(ls "$SPARK_HOME/jars" | wc -l) jars"
fi
  SPARK_CP="$SPARK_HOME/conf:$SPARK_HOME/jars/*"
}

start_jvm() { # name, class, args...
  local name="$1"; shift
  java $FLAGS -Xmx512m -cp "$SPARK_CP" "$@" > "$WORK/logs/$name.log" 2>&1 &
  PIDS+=("$!")
}
start_cluster() {
  say "starting the master on $MASTER and two workers (1 core, 1500 MB each)"
  start_jvm master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port 18080
  for i in 1 2; do
    mkdir -p "$WORK/worker$i"
    start_jvm "worker$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 1500m \
      --webui-port "$((18080 + i))" --work-dir "$WORK/worker$i" "$MASTER"
  done
  for _ in $(seq 60); do
    [[ "$(grep -c "Registering worker" "$WORK/logs/master.log" 2>/dev/null)" -ge 2 ]] && break
    sleep 1
  done
  [[ "$(grep -c "Registering worker" "$WORK/logs/master.log")" -ge 2 ]] || fail "the workers did not register (logs in $WORK/logs)"
  say "cluster up: master pid ${PIDS[0]}, worker pids ${PIDS[1]} ${PIDS[2]}"
}

# spark-submit's entry point with the fat jar, client deploy mode: this JVM is the driver.
submit() { # log name, repzoo arguments...
  local name="$1"; shift
  local bound=()
  [[ -n "${SUBMIT_TIMEOUT:-}" ]] && bound=(timeout --signal=TERM "$SUBMIT_TIMEOUT")
  /usr/bin/time -f "driver peak RSS %M kB, %e s" "${bound[@]}" java $FLAGS -Xmx${DRIVER_HEAP:-1g} -Xlog:gc:file="$WORK/logs/$name.gc.log" \
    -cp "$SPARK_CP" org.apache.spark.deploy.SparkSubmit \
    --master "$MASTER" --deploy-mode client --class org.repzoo.cli.Main \
    --conf spark.executor.memory=1g --conf spark.executor.cores=1 --conf spark.driver.host=127.0.0.1 \
    --conf spark.ui.port=14040 \
    --conf "spark.executor.extraJavaOptions=$FLAGS -Daeron.publication.unblock.timeout=60s -Daeron.dir.delete.on.shutdown=true" \
    "$JAR" "$@" > "$WORK/logs/$name.log" 2>&1
}
local_run() { # log name, repzoo arguments... (one JVM, the ordinary command line)
  local name="$1"; shift
  "$ROOT/repzoo" "$@" > "$WORK/logs/$name.log" 2>&1
}

