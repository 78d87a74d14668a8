#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) for development, tests and CI, built from Maven Central jars.
#
# Usage: deploy/kafka.sh fetch|start|stop|status|reset
#
# Environment:
#   KAFKA_PORT             client listener on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener on 127.0.0.1 (default KAFKA_PORT+1000, so
#                          brokers on 9092 and 19092 use 10092 and 20092)
#   KAFKA_VERSION          Apache Kafka 3.9.x release to run (default 3.9.2)
#   KAFKA_DATA_DIR         per-port state: config, pid, logs, data (default $REPO/var/kafka-$KAFKA_PORT)
#   KAFKA_CACHE_DIR        folder holding kafka-<version>/ with the jars (default $REPO/.cache)
#   KAFKA_HEAP_OPTS        broker heap (default -Xmx768m -Xms256m)
#   KAFKA_START_TIMEOUT    seconds start waits for the broker to answer (default 60)
#   LG_PARTITIONS          partitions of the listing topics and changelogs (default 12)
#   LG_APP_ID              the workers' app id, which names the changelogs (default listing-guard)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_DIR="$REPO/deploy/kafka"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1000))}"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO/var/kafka-$KAFKA_PORT}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-$REPO/.cache}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx768m -Xms256m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
LG_PARTITIONS="${LG_PARTITIONS:-12}"
LG_APP_ID="${LG_APP_ID:-listing-guard}"

HOST=127.0.0.1
VERSION_DIR="$KAFKA_CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$VERSION_DIR/libs"
LIBS_DONE="$LIBS/.complete"
CLASSES="$VERSION_DIR/classes"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
OUT_FILE="$KAFKA_DATA_DIR/kafka.out"
CONFIG="$KAFKA_DATA_DIR/server.properties"
LOG_DIRS="$KAFKA_DATA_DIR/data"
APP_LOGS="$KAFKA_DATA_DIR/logs"

# name:partitions[:topic-config,...] as EnsureTopics.java reads them.
TOPICS=(
  "listings.new:$LG_PARTITIONS"
  "takedown.outcomes:$LG_PARTITIONS"
  "takedown.candidates:$LG_PARTITIONS"
  "listings.dlq:$LG_PARTITIONS"
  "brands.registry:1:cleanup.policy=compact"
  # the worker's table changelogs (stream/tables.py), made here rather than by Faust at first start:
  # a producer sending to partitions of a topic created a moment before stalled on NotLeader
  "$LG_APP_ID-seller-reputation-changelog:$LG_PARTITIONS:cleanup.policy=compact"
  "$LG_APP_ID-listing-memory-changelog:$LG_PARTITIONS:cleanup.policy=compact"
)

say() { echo "kafka[$KAFKA_PORT]: $*" >&2; }
die() { say "error: $*"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The pid in the pid file, if that process is the broker of this data dir (guards against pid reuse).
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# JVM flags shared by the broker and the tools: quiet file logging inside the data dir.
log_opts() {
  echo "-Dlog4j.configuration=file:$KAFKA_DIR/log4j.properties -Dkafka.logs.dir=$APP_LOGS -Dlg.log.file=$1"
}

fetch() {
  [[ -f "$LIBS_DONE" ]] || fetch_jars
  [[ "$CLASSES/EnsureTopics.class" -nt "$KAFKA_DIR/EnsureTopics.java" ]] || compile_tools
}

fetch_jars() {
  command -v mvn >/dev/null || die "mvn not found (install Maven)"
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central"
  local staging="$VERSION_DIR/libs.partial"
  rm -rf "$staging"
  mkdir -p "$VERSION_DIR"
  # Maven 3.8 prints bare colour resets even in batch mode; strip them and keep real messages.
  mvn -q -B -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$staging" 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2
  ls "$staging"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
  touch "$staging/.complete"
  rm -rf "$LIBS"
  mv "$staging" "$LIBS"
  say "$(find "$LIBS" -name '*.jar' | wc -l) jars in $LIBS"
}

compile_tools() {
  command -v javac >/dev/null || die "javac not found (install a JDK 17)"
  mkdir -p "$CLASSES"
  javac -nowarn -d "$CLASSES" -cp "$LIBS/*" "$KAFKA_DIR/EnsureTopics.java"
}

write_config() {
  mkdir -p "$LOG_DIRS" "$APP_LOGS"
  cat >"$CONFIG" <<EOF
# Written by deploy/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
}

format_storage() {
  [[ -f "$LOG_DIRS/meta.properties" ]] && return 0
  # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  say "formatting storage in $LOG_DIRS (cluster $cluster_id)"
  # shellcheck disable=SC2046
  java -Xmx256m -XX:TieredStopAtLevel=1 $(log_opts tools.log) -cp "$LIBS/*" \
    kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$CONFIG" >>"$OUT_FILE" 2>&1 \
    || die "formatting storage failed, see $OUT_FILE"
}

launch() {
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$port" && die "port $port on $HOST is taken by another process"
  done
  say "starting broker (controller port $KAFKA_CONTROLLER_PORT, data $KAFKA_DATA_DIR)"
  # shellcheck disable=SC2086,SC2046
  setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    $(log_opts server.log) -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    >>"$OUT_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
}

# Bounded wait for the client port, failing fast with the log tail when the broker dies.
await_port() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until port_open "$KAFKA_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$OUT_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "broker exited during start-up, see $OUT_FILE and $APP_LOGS/server.log"
    fi
    ((SECONDS < deadline)) || die "broker did not open port $KAFKA_PORT within ${KAFKA_START_TIMEOUT}s"
    sleep 0.2
  done
}

# One JVM waits for a working metadata request and creates the missing topics.
ensure_topics() {
  # shellcheck disable=SC2046
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC $(log_opts tools.log) \
    -cp "$CLASSES:$LIBS/*" EnsureTopics "$HOST:$KAFKA_PORT" "$KAFKA_START_TIMEOUT" "${TOPICS[@]}" \
    || die "topics not ready on $HOST:$KAFKA_PORT"
}

start() {
  fetch
  local pid
  if pid="$(broker_pid)"; then
    say "already running (pid $pid)"
  else
    rm -f "$PID_FILE"
    write_config
    format_storage
    launch
    pid="$(<"$PID_FILE")"
    await_port "$pid"
  fi
  ensure_topics
  say "ready on $HOST:$KAFKA_PORT (pid $pid)"
}

stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still alive after 30s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  local pid
  if pid="$(broker_pid)"; then
    echo "running (pid $pid, $HOST:$KAFKA_PORT)"
    return 0
  fi
  echo "stopped"
  return 1
}

reset() {
  stop
  case "$KAFKA_DATA_DIR" in
    "" | / | "$REPO" | "$HOME") die "refusing to delete data dir '$KAFKA_DATA_DIR'" ;;
  esac
  rm -rf "$KAFKA_DATA_DIR"
  say "deleted $KAFKA_DATA_DIR"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) reset ;;
  *)
    echo "usage: $0 fetch|start|stop|status|reset" >&2
    exit 2
    ;;
esac
