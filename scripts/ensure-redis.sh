#!/bin/sh
# The end-to-end tests need a real redis-server built with TLS. Install it when it is
# missing and we can (root with apt-get); otherwise stop with a clear message.
set -e
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is missing: installing it with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    # The package starts a service on 6379; the tests start their own servers.
    (service redis-server stop || true) >/dev/null 2>&1
    exit 0
fi
echo "redis-server is not installed and cannot be installed here (needs root and apt-get)." >&2
echo "Install it (for example: sudo apt-get install redis-server) and run make test again." >&2
exit 1
