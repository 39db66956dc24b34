#!/bin/sh
# Stand-in for the Bitbucket Pipelines runner: replays recorded runner log lines (with the
# current time and this container's UUIDs) and, for each step, starts and removes a sibling
# `<runner>_<step>_build` container through the bound Docker socket, as the real runner does.
# Controlled by env: STANDIN_SCRIPT=idle|one-step|failed-step|steps|crash|crash-once|step-crash-once|exit|replay|leaky,
# STANDIN_EXIT_CODE, STANDIN_STEP_SECONDS, STANDIN_STEPS (for `steps`), STANDIN_LOG (for
# `replay`), STANDIN_MARKER (for `crash-once`), STANDIN_SIBLINGS=0 to skip sibling containers.
# In a pool test's world (test/support/pool-world.ts, marked by a Docker volume of that name on
# the engine) Bitbucket says when the runner is ONLINE: the startup replay waits at its ONLINE line
# for $MARKS/standin-online (or standin-reject: the OAuth crash), which the world writes with
# `docker exec`, and marks standin-said-online once that line is out; the world hands it steps as `docker exec … STANDIN_SCRIPT=take-step`, which
# writes to PID 1's output so the step is in the container's log. It never prints its environment:
# OAUTH_CLIENT_SECRET is in it; only `leaky` prints that secret in a log line, as a careless
# runner build or debug flag could, so tests can check it is masked before it leaves the service.

FIXTURES=/fixtures
FIXTURE_ACCOUNT=7e4d1c2a-3b5f-4a6e-9c8d-1a2b3c4d5e6f
FIXTURE_REPOSITORY=2b8e6f4a-9c1d-4e3b-8a7f-6d5c4b3a2e1f
FIXTURE_RUNNER=4f1e0a7c-2d3b-4c5a-9e8f-7a6b5c4d3e2f
FIXTURE_PIPELINE=c3d2e1f0-4b5a-4c6d-8e7f-9a0b1c2d3e4f
FIXTURE_STEP=9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a10
FIXTURE_FAILED_PIPELINE=0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d
FIXTURE_FAILED_STEP=5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a
WORLD_VOLUME=runner-tray-standin-world
# Per-run markers: /dev/shm is a fresh tmpfs on every (re)start of the container.
MARKS=/dev/shm

strip() { echo "$1" | tr -d '{}'; }
ACCOUNT=$(strip "${ACCOUNT_UUID:-$FIXTURE_ACCOUNT}")
REPOSITORY=$(strip "${REPOSITORY_UUID:-$FIXTURE_REPOSITORY}")
RUNNER=$(strip "${RUNNER_UUID:-$FIXTURE_RUNNER}")
SIBLING=""
CHILD=""
# Repeated steps get distinct step and pipeline UUIDs (the last byte counts up).
STEP_N=""
# A step handed out by the pool world: its UUIDs replace the recorded ones.
PIPELINE=$(strip "${STANDIN_STEP_PIPELINE:-}")
STEP=$(strip "${STANDIN_STEP_UUID:-}")
GATED=""

# PID 1 ignores TERM unless it has a handler; `sleep & wait` keeps the handler responsive.
on_term() {
  [ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null
  [ -n "$SIBLING" ] && docker rm -f "$SIBLING" >/dev/null 2>&1
  say "Runner shutting down."
  exit 0
}
trap on_term TERM INT

# Local time, as the runner's logback prints it: the container's TZ (zone files for a few zones
# are in the image), UTC when TZ is unset.
now() {
  ms=$(awk '{ split($1, a, "."); printf "%s0", substr(a[2] "00", 1, 2) }' /proc/uptime)
  echo "$(date '+%Y-%m-%d %H:%M:%S'),$ms"
}
say() { echo "[$(now)] $*"; }
pause() { sleep "$1" & CHILD=$!; wait $CHILD; CHILD=""; }

start_sibling() {
  [ "${STANDIN_SIBLINGS:-1}" = "0" ] && return
  [ -S /var/run/docker.sock ] || return
  step=$(echo "$1" | sed -n 's/.*stepUuid={\([^}]*\)}.*/\1/p')
  [ -n "$step" ] || return
  SIBLING="${RUNNER}_${step}_build"
  image=$(docker inspect --format '{{.Config.Image}}' "$(hostname)" 2>/dev/null)
  docker run -d --name "$SIBLING" --network none --entrypoint /bin/sleep \
    --label "runner-tray.standin-sibling=$RUNNER" "${image:-$STANDIN_IMAGE}" 3600 >/dev/null 2>&1 \
    || echo "stand-in: could not start sibling $SIBLING" >&2
}

stop_sibling() {
  [ -n "$SIBLING" ] && docker rm -f "$SIBLING" >/dev/null 2>&1
  SIBLING=""
}

in_world() { [ -S /var/run/docker.sock ] && docker volume inspect "$WORLD_VOLUME" >/dev/null 2>&1; }

# The pool world's answer to "may I connect?": ONLINE, or Bitbucket's OAuth 404 and an exit.
wait_online() {
  while :; do
    if [ -f $MARKS/standin-online ]; then return; fi
    if [ -f $MARKS/standin-reject ]; then
      replay $FIXTURES/crash-oauth.log; exit "${STANDIN_EXIT_CODE:-1}"
    fi
    pause 0.2
  done
}

# A step's RUNNING phase: some seconds, or (`hold`) until the world says it is over.
run_for() {
  if [ "$1" = "hold" ]; then
    while [ ! -f "$MARKS/standin-finish-$STEP" ]; do pause 0.2; done
  else
    pause "$1"
  fi
}

# Print a recorded log with the current time, this runner's UUIDs, and sibling containers per step.
replay() {
  while IFS= read -r line || [ -n "$line" ]; do
    line=$(echo "$line" | sed -e "s/$FIXTURE_ACCOUNT/$ACCOUNT/g" -e "s/$FIXTURE_REPOSITORY/$REPOSITORY/g" -e "s/$FIXTURE_RUNNER/$RUNNER/g")
    if [ -n "$STEP" ]; then
      line=$(echo "$line" | sed -e "s/$FIXTURE_PIPELINE/$PIPELINE/g" -e "s/$FIXTURE_STEP/$STEP/g" \
        -e "s/$FIXTURE_FAILED_PIPELINE/$PIPELINE/g" -e "s/$FIXTURE_FAILED_STEP/$STEP/g")
    fi
    if [ -n "$STEP_N" ]; then
      line=$(echo "$line" | sed -e "s/6e5d4c3b2a10/6e5d4c3b2a$STEP_N/g" -e "s/9a0b1c2d3e4f/9a0b1c2d3e$STEP_N/g")
    fi
    case "$line" in
      "["*) line="[$(now)]${line#*]}" ;;
    esac
    case "$line" in
      *"Completing step with result"*) stop_sibling ;;
      *"Removing container "*) stop_sibling ;;
      *'Updating runner state to "ONLINE"'*)
        if [ -z "$GATED" ]; then GATED=1; in_world && wait_online; fi ;;
    esac
    echo "$line"
    case "$line" in
      *'Updating runner state to "ONLINE"'*) [ -f $MARKS/standin-said-online ] || touch $MARKS/standin-said-online ;;
    esac
    case "$line" in
      *"Getting step StepId"*) start_sibling "$line" ;;
      *"Updating step progress to RUNNING"*) run_for "${STANDIN_STEP_SECONDS:-1}" ;;
    esac
  done < "$1"
}

idle() { while :; do pause 3600; done; }

case "${STANDIN_SCRIPT:-idle}" in
  idle) replay $FIXTURES/startup.log; idle ;;
  one-step) replay $FIXTURES/startup.log; replay $FIXTURES/step-passed.log; idle ;;
  failed-step) replay $FIXTURES/startup.log; replay $FIXTURES/step-failed.log; idle ;;
  steps)
    replay $FIXTURES/startup.log
    i=0
    while [ "$i" -lt "${STANDIN_STEPS:-3}" ]; do
      STEP_N=$(printf '%02x' "$i"); replay $FIXTURES/step-passed.log; i=$((i + 1))
    done
    idle ;;
  crash) replay $FIXTURES/crash-oauth.log; exit "${STANDIN_EXIT_CODE:-1}" ;;
  # Crashes on its first run only: the marker lives in the container's own filesystem, which
  # survives Docker's restart of the same container. A kubelet's restart is a new container:
  # STANDIN_MARKER=/tmp/… puts the marker on the pod's emptyDir, which outlives it.
  crash-once)
    MARKER=${STANDIN_MARKER:-/var/crashed-once}
    if [ -f "$MARKER" ]; then replay $FIXTURES/startup.log; idle; fi
    touch "$MARKER"; replay $FIXTURES/crash-oauth.log; exit "${STANDIN_EXIT_CODE:-1}" ;;
  # First run: a step that passes, then one that is lost when the runner crashes mid-step;
  # Docker's restart of the same container then comes up and idles.
  step-crash-once)
    if [ -f /var/crashed-once ]; then replay $FIXTURES/startup.log; idle; fi
    touch /var/crashed-once; replay $FIXTURES/startup.log; replay $FIXTURES/step-passed.log
    sed -n '1,/progress to RUNNING/p' $FIXTURES/step-passed.log > /var/step-cut.log
    STEP_N=01; replay /var/step-cut.log; exit "${STANDIN_EXIT_CODE:-1}" ;;
  exit) exit "${STANDIN_EXIT_CODE:-0}" ;;
  replay) replay "$FIXTURES/${STANDIN_LOG:-startup.log}"; idle ;;
  # Run by the pool world with `docker exec` while PID 1 idles: one step, printed where PID 1
  # prints (the container's log); STANDIN_STEP_RESULT=passed|failed picks the recorded step.
  take-step)
    exec >/proc/1/fd/1 2>/proc/1/fd/2
    GATED=1
    [ -n "$STANDIN_STEP_REPOSITORY" ] && REPOSITORY=$(strip "$STANDIN_STEP_REPOSITORY")
    replay "$FIXTURES/step-${STANDIN_STEP_RESULT:-passed}.log"
    exit 0 ;;
  leaky)
    replay $FIXTURES/startup.log
    say "DEBUG o.a.b.r.a.OAuthClient - token request client_id=$OAUTH_CLIENT_ID client_secret=$OAUTH_CLIENT_SECRET"
    say "Leaky stand-in: secret printed."
    idle ;;
  *) echo "stand-in: unknown STANDIN_SCRIPT=$STANDIN_SCRIPT" >&2; exit 64 ;;
esac
