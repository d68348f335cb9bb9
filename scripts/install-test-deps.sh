#!/bin/sh
# install-test-deps.sh installs what keywarden's tests need beyond Go:
# a Chromium for the HTML report's browser test (internal/report,
# TestHTMLInBrowser). It is idempotent: it does nothing when a Chromium is
# already on PATH. It needs root (or sudo) and apt-get, as on Debian and
# Ubuntu; elsewhere it says what to install and fails.
set -eu

have_chromium() {
	for name in chromium chromium-browser google-chrome; do
		if command -v "$name" >/dev/null 2>&1; then
			echo "install-test-deps: found $name at $(command -v "$name")"
			return 0
		fi
	done
	return 1
}

if have_chromium; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-test-deps: no Chromium and no apt-get; install chromium (or google-chrome) yourself" >&2
	exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-test-deps: installing chromium needs root; run as root or install sudo" >&2
		exit 1
	fi
fi

# env passes DEBIAN_FRONTEND through sudo, which resets the environment.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

have_chromium
