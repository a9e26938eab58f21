#!/usr/bin/env bash
# Install the system browser that the browser tests (tests/browser/) drive.
#
# Why Debian's chromium: `playwright install` downloads its own browser build, which cannot be
# fetched here; the tests launch /usr/bin/chromium through Playwright instead. Idempotent and
# quiet: it does nothing when chromium is already there, so CI can call it on every run, and
# prints apt's output only if apt fails. Python packages come from the `browser` extra, not here.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
# Recommends (sandbox helper, desktop integration) are not needed headless, and cost time.
if ! {
    $sudo apt-get update -qq &&
        $sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation
} </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup-browser: installing chromium failed" >&2
    exit 1
fi
echo "setup-browser: $(/usr/bin/chromium --version 2>/dev/null)"
