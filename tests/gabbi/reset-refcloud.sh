#!/usr/bin/env bash
# Restart refcloud on a fresh SQLite database: the --reset-cmd for
# ../shared/tools/real-placement/run-gabbits.sh (which sets GABBIT_URL).
#
#   run-gabbits.sh http://127.0.0.1:8790 --reset-cmd "bash tests/gabbi/reset-refcloud.sh"
#
# REFCLOUD (default: refcloud on PATH, else the repo venv's) and
# REFCLOUD_STATE (default /tmp/refcloud-gabbi) can be overridden.
set -euo pipefail
url="${GABBIT_URL:?GABBIT_URL not set (run me from run-gabbits.sh --reset-cmd)}"
port="${url##*:}"; port="${port%%/*}"
state="${REFCLOUD_STATE:-/tmp/refcloud-gabbi}/$port"
mkdir -p "$state"
bin="${REFCLOUD:-$(command -v refcloud || true)}"
[[ -n "$bin" ]] || { echo "reset-refcloud: no refcloud on PATH; set REFCLOUD=/path/to/refcloud" >&2; exit 1; }
if [[ -f "$state/pid" ]]; then
  pid="$(cat "$state/pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/pid"
fi
nohup setsid "$bin" serve --host 127.0.0.1 --port "$port" --db "sqlite:///$state/refcloud.db" \
  --fresh --quiet --pid-file "$state/pid" </dev/null >"$state/server.log" 2>&1 &
for _ in $(seq 1 100); do
  if curl -s -o /dev/null -m 1 "http://127.0.0.1:$port/"; then exit 0; fi
  sleep 0.1
done
echo "reset-refcloud: refcloud did not start on port $port; log:" >&2
tail -20 "$state/server.log" >&2
exit 1
