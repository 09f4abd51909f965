#!/usr/bin/env bash
# Headless-Chromium check of the sample's page: starts the packaged application (its four services: booking,
# flights, hotels, payments) on free ports, lets Debian's chromium load the booking service's page
# http://localhost:PORT/?autobook=1 (the page books a trip across the three other services with its own
# JavaScript and waits until the TCC transaction and every hold are CONFIRMED), then checks the
# booking over the REST API; does the same for a declined payment (expects CANCELLED); takes a
# screenshot. Exits 0 when all of it holds, non-zero otherwise.
#
#   sample-booking/src/test/browser/check.sh            # from the repository root (any directory works)
#
# Environment: CHROMIUM (default /usr/bin/chromium), JAR (default: sample-booking/target/sample-booking-*.jar,
# built with Maven when missing), SCREENSHOT (default sample-booking/target/browser-check/page.png).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$(cd "$here/../../.." && pwd)"
root="$(cd "$module/.." && pwd)"
chromium="${CHROMIUM:-/usr/bin/chromium}"
out="$module/target/browser-check"
screenshot="${SCREENSHOT:-$out/page.png}"
mkdir -p "$out" "$(dirname "$screenshot")"
rm -f "$out/app.log" "$out/chromium.log"

fail() { echo "browser check FAILED: $*" >&2; if [[ -f "$out/app.log" ]]; then echo "--- last lines of $out/app.log" >&2; tail -n 40 "$out/app.log" >&2; fi; exit 1; }

[[ -x "$chromium" ]] || fail "no Chromium at $chromium: install it with 'apt-get install -y chromium' (or set CHROMIUM)"
command -v curl >/dev/null || fail "curl is required"

jar="${JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls "$module"/target/sample-booking-*.jar 2>/dev/null | grep -v '\.original$' | head -n 1 || true)"
  if [[ -z "$jar" ]]; then
    echo "no packaged sample: building it (mvn -pl sample-booking -am package -DskipTests)"
    (cd "$root" && mvn -B -q -pl sample-booking -am package -DskipTests) || fail "could not build the sample"
    jar="$(ls "$module"/target/sample-booking-*.jar | grep -v '\.original$' | head -n 1)"
  fi
fi

app_pid=""
profiles=()
cleanup() {
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  for p in "${profiles[@]}"; do rm -rf "$p"; done
}
trap cleanup EXIT

# port 0 for each service: each picks a free port; the launcher logs them once all four answer, and the check
# reads booking's from that line
java -jar "$jar" --sample.services.booking.port=0 --sample.services.flights.port=0 --sample.services.hotels.port=0 \
  --sample.services.payments.port=0 --spring.main.banner-mode=off > "$out/app.log" 2>&1 &
app_pid=$!
port=""
deadline=$((SECONDS + 120))
while [[ -z "$port" ]]; do
  kill -0 "$app_pid" 2>/dev/null || fail "the application exited during start-up"
  (( SECONDS < deadline )) || fail "the application did not start within 120 s"
  port="$(grep -o 'Trip booking sample is up: booking http://localhost:[0-9]*' "$out/app.log" | grep -o '[0-9]*$' | head -n 1 || true)"
  [[ -n "$port" ]] || sleep 0.5
done
base="http://localhost:$port"
until curl -sf "$base/actuator/health" >/dev/null; do
  (( SECONDS < deadline )) || fail "$base/actuator/health did not answer"
  sleep 0.5
done
echo "sample running: $(grep -o 'booking http://localhost:[0-9]*.*' "$out/app.log" | head -n 1) (pid $app_pid)"

browse() { # browse URL ARGS... : headless Chromium with a fresh profile
  local url="$1"; shift
  local profile; profile="$(mktemp -d)"; profiles+=("$profile")
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --user-data-dir="$profile" "$@" "$url" 2>>"$out/chromium.log"
}

autobook() { # autobook SCENARIO EXPECTED_STATE -> prints the booking id
  local scenario="$1" expected="$2" dom line
  dom="$(browse "$base/?autobook=$scenario" --virtual-time-budget=60000 --dump-dom)" || fail "chromium failed (see $out/chromium.log)"
  printf '%s' "$dom" > "$out/dom-$scenario.html"
  line="$(printf '%s' "$dom" | grep -o 'AUTOBOOK [A-Z]* booking=[0-9a-f-]* xid=[0-9a-f-]*' | head -n 1 || true)"
  [[ -n "$line" ]] || fail "the page did not report a booking for autobook=$scenario: $(printf '%s' "$dom" | grep -o 'AUTOBOOK[^<]*' || echo 'no AUTOBOOK line') (DOM in $out/dom-$scenario.html)"
  [[ "$line" == "AUTOBOOK $expected "* ]] || fail "autobook=$scenario: expected $expected, the page says: $line"
  echo "page: $line" >&2
  local id="${line#*booking=}"; id="${id%% *}"
  local xid="${line#*xid=}"
  # the page said so; check it on the server as well
  curl -sf "$base/bookings/$id" | grep -q "\"status\":\"$expected\"" || fail "GET /bookings/$id is not $expected"
  curl -sf "$base/transactions/$xid" | grep -q "\"state\":\"$expected\"" || fail "GET /transactions/$xid is not $expected"
  printf '%s' "$id"
}

confirmed="$(autobook 1 CONFIRMED)"
grep -q 'TCC transactions' "$out/dom-1.html" || fail "the page did not render its transactions panel"
grep -q 'data-state="CONFIRMED"' "$out/dom-1.html" || fail "the page does not list the confirmed transaction"
for service in flights hotels payments; do # each branch shows the service it lives on
  grep -q "class=\"chip\" data-service=\"$service\"" "$out/dom-1.html" || fail "the page does not show a branch in the $service service"
done
declined="$(autobook PAYMENT_DECLINED CANCELLED)"

browse "$base/" --virtual-time-budget=5000 --window-size=1280,900 --screenshot="$screenshot" >/dev/null || fail "screenshot failed"
[[ -s "$screenshot" ]] || fail "no screenshot at $screenshot"

echo "browser check OK: booking $confirmed CONFIRMED and $declined CANCELLED through the page; screenshot $screenshot"
