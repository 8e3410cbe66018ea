#!/usr/bin/env bash
# backout and kdash side by side against one simulator holding 10,000 pods in one
# namespace (issue 19): resident memory, launch → all pods on screen, idle CPU, and CPU
# while three rolling updates of the 10,000 pods run. Prints a Markdown table.
#
#   benches/kdash_side_by_side.sh [--install-kdash] [--kdash PATH] [--backout PATH] [--nice N]
#   benches/kdash_side_by_side.sh --no-kdash     (backout's column only, same method)
#
# --install-kdash   cargo install kdash --locked into a temporary root first (slow: a
#                   full release build of kdash); without it, --kdash PATH or `kdash` on
#                   PATH is used.
# --backout PATH    the backout binary (default target/release/backout; build it with
#                   `cargo build --release --locked`).
# --nice N          run the simulator, backout and kdash at niceness N (e.g. -15, as
#                   root) so that other work on the machine disturbs them less; the
#                   same for all three.
#
# Method: both programs run at the same time in tmux panes (200×50) against the same
# simulator (`backout sim`, release build, speed 1), each with its own kubeconfig
# (kdash with `--namespace big`: it opens on every namespace otherwise, and the
# simulator's kube-system holds two CoreDNS pods). Launch → all pods on screen is polled with tmux
# capture-pane every 50 ms (backout: `Pods 10000`; kdash: a `Pods` title with
# `[10000]`). Memory is VmRSS from /proc 35 s after launch. CPU is utime + stime from
# /proc/PID/stat (clock ticks) over the window, as a percentage of one core and as CPU
# seconds: idle is 30 s with nothing changing, churn is from the first `kubectl set
# image` until the third rollout is complete. The load average is printed with the
# table: figures on a busy machine are upper bounds for both. backout pays per watch
# event and kdash per second (it lists every 5 s), so a churn the loaded machine
# stretches lowers backout's percentage: compare CPU seconds between runs.
set -euo pipefail

PODS=10000
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BACKOUT="$ROOT/target/release/backout"
KDASH=""
INSTALL=0
NICE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --install-kdash) INSTALL=1 ;;
    --no-kdash) KDASH=none ;;
    --kdash) KDASH="$2"; shift ;;
    --backout) BACKOUT="$2"; shift ;;
    --nice) NICE="$2"; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in tmux kubectl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
[ -x "$BACKOUT" ] || { echo "no backout binary at $BACKOUT (cargo build --release --locked)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/backout-vs-kdash.XXXXXX)
SIM_PID=""
cleanup() {
  tmux kill-session -t bvk-backout 2>/dev/null || true
  tmux kill-session -t bvk-kdash 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$INSTALL" = 1 ]; then
  echo "installing kdash into $WORK/kdash-root (cargo install kdash --locked) ..." >&2
  cargo install kdash --locked --root "$WORK/kdash-root" >&2
  KDASH="$WORK/kdash-root/bin/kdash"
fi
[ -n "$KDASH" ] || KDASH=$(command -v kdash || true)
[ "$KDASH" = none ] || { [ -n "$KDASH" ] && [ -x "$KDASH" ]; } ||
  { echo "no kdash: pass --install-kdash, --kdash PATH or --no-kdash" >&2; exit 1; }

ticks() { # utime + stime of a pid, in clock ticks
  if [ "$1" = none ]; then echo 0; else awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; fi
}
rss_mb() {
  if [ "$1" = none ]; then echo –; else awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; fi
}
now() { date +%s.%N; }
HZ=$(getconf CLK_TCK)
pct() { # ticks, seconds → % of one core ("–" without kdash)
  [ "$K_PID" = none ] && [ "${3:-}" = kdash ] && { echo –; return; }
  awk -v t="$1" -v s="$2" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz / s * 100 }'
}

cat >"$WORK/big.yaml" <<EOF
name: big
namespace: big
apps:
  - {name: big, replicas: $PODS, image: shop/big, version: "1.0", rps: 0, service: false}
EOF
cat >"$WORK/big.md" <<'EOF'
---
backout: 1
title: Big — side by side
target: { namespace: big, deployment: big }
---

# Big — side by side

## 1. Look

- [ ] Pods are on screen
EOF

echo "starting the simulator with $PODS pods ..." >&2
nice -n "$NICE" "$BACKOUT" sim --scenario "$WORK/big.yaml" --kubeconfig-out "$WORK/kubeconfig" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 600); do
  grep -q "kubeconfig written" "$WORK/sim.log" && break
  kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.log" >&2; exit 1; }
  sleep 0.5
done
export KUBECONFIG="$WORK/kubeconfig"
kubectl config set-context --current --namespace big >/dev/null
mkdir -p "$WORK/home"

# launch NAME COMMAND PATTERN → prints "pid seconds-to-all-pods"
launch() {
  local name=$1 cmd=$2 pattern=$3 t0 pid
  t0=$(now)
  tmux new-session -d -s "bvk-$name" -x 200 -y 50 "$cmd"
  pid=$(tmux display -p -t "bvk-$name" '#{pane_pid}')
  for _ in $(seq 1 2400); do
    if tmux capture-pane -p -t "bvk-$name" | grep -Eq "$pattern"; then
      echo "$pid $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')"
      return
    fi
    sleep 0.05
  done
  echo "$name never showed all pods" >&2
  tmux capture-pane -p -t "bvk-$name" >&2
  exit 1
}

read -r B_PID B_START < <(launch backout \
  "exec nice -n $NICE env BACKOUT_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig $BACKOUT $WORK/big.md" \
  "Pods $PODS")
if [ "$KDASH" != none ]; then
  read -r K_PID K_START < <(launch kdash "exec nice -n $NICE env KUBECONFIG=$WORK/kubeconfig $KDASH --namespace big" \
    "Pods.*\\[$PODS\\]")
else
  # No kdash: its column reads "–"; this process stands in for its pid (no CPU, no RSS
  # figures are printed for it).
  K_PID=none K_START=–
fi
echo "launched: backout pid $B_PID (${B_START} s), kdash pid $K_PID (${K_START} s)" >&2

sleep 35
B_RSS=$(rss_mb "$B_PID"); K_RSS=$(rss_mb "$K_PID")

LOAD_IDLE=$(cut -d' ' -f1-3 /proc/loadavg)
b0=$(ticks "$B_PID"); k0=$(ticks "$K_PID"); t0=$(now)
sleep 30
b1=$(ticks "$B_PID"); k1=$(ticks "$K_PID"); t1=$(now)
IDLE_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
B_IDLE=$(pct $((b1 - b0)) "$IDLE_S"); K_IDLE=$(pct $((k1 - k0)) "$IDLE_S" kdash)

echo "three rolling updates of $PODS pods ..." >&2
b0=$(ticks "$B_PID"); k0=$(ticks "$K_PID"); t0=$(now)
for v in 2.0 3.0 4.0; do
  kubectl -n big set image deploy/big "app=shop/big:$v" >/dev/null
  kubectl -n big rollout status deploy/big --timeout=600s >/dev/null
done
b1=$(ticks "$B_PID"); k1=$(ticks "$K_PID"); t1=$(now)
CHURN_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
B_CHURN=$(pct $((b1 - b0)) "$CHURN_S"); K_CHURN=$(pct $((k1 - k0)) "$CHURN_S" kdash)
secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }
B_CHURN_S=$(secs $((b1 - b0)))
if [ "$K_PID" = none ]; then K_CHURN_S=–; else K_CHURN_S=$(secs $((k1 - k0))); fi
LOAD_CHURN=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f×", a / b; else print "–" }'; }
cat <<EOF

$PODS pods in one namespace, $(nproc) cores, niceness $NICE, $(date -u +%Y-%m-%dT%H:%MZ); backout $("$BACKOUT" --version 2>/dev/null | head -1), kdash $([ "$KDASH" = none ] && echo "not run" || "$KDASH" --version 2>/dev/null | head -1)

| | backout | kdash | ratio |
|---|---|---|---|
| resident memory 35 s after launch | $B_RSS MB | $K_RSS MB | $(ratio "$B_RSS" "$K_RSS") |
| launch → all pods on screen | $B_START s | $K_START s | $(ratio "$B_START" "$K_START") |
| idle CPU over 30 s (load average $LOAD_IDLE) | $B_IDLE % | $K_IDLE % | $(ratio "$B_IDLE" "$K_IDLE") |
| CPU while three rolling updates of the $PODS pods run (${CHURN_S%.*} s; load average $LOAD_CHURN) | $B_CHURN % of a core ($B_CHURN_S s) | $K_CHURN % ($K_CHURN_S s) | $(ratio "$B_CHURN" "$K_CHURN") |
EOF
