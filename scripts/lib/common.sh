# Shared by the scripts: install missing Debian packages (idempotent) and the Python venv.
# shellcheck shell=bash

COUNTERSIGN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SYSTEM_PACKAGES=(pkg-config libcairo2-dev libpango1.0-dev libharfbuzz-dev libpoppler-glib-dev libssl-dev libxml2-dev
                 zlib1g-dev poppler-utils qpdf openssl libsqlite3-dev faketime postgresql curl jq chromium chromium-driver
                 libxmlsec1-dev xmlsec1 libnss3-tools)

# Installs whichever of the packages is missing, with sudo when not root.
ensure_system_packages() {
    local missing=() package
    for package in "${SYSTEM_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing system packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Creates .venv with pyHanko (the independent signature judge) and xsdata (with pyHanko's bindings
# of the ETSI TS 119 102-2 schema, the judge of our ETSI validation reports), aiosmtpd (the
# workflow tests' SMTP server), schemathesis, standardwebhooks and Selenium + axe-core-python (the
# signing pages' browser tests: axe-core 4.4; axe-selenium-python bundles a 3.x axe that flags the
# standard autocomplete="one-time-code") unless present.
ensure_venv() {
    local venv="$COUNTERSIGN_ROOT/.venv"
    if [ ! -x "$venv/bin/pyhanko" ] || [ ! -x "$venv/bin/aiosmtpd" ] || [ ! -x "$venv/bin/schemathesis" ] \
        || ! "$venv/bin/python" -c "import standardwebhooks, selenium, axe_core_python, xsdata" 2>/dev/null; then
        echo "Creating $venv with pyHanko, xsdata, aiosmtpd, schemathesis, standardwebhooks, Selenium and axe-core-python" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check pyhanko pyhanko-cli "xsdata>=24.4,<27" aiosmtpd schemathesis \
            standardwebhooks selenium axe-core-python
    fi
}

# Creates .venv-bench with the benchmark peers (Typst, ReportLab, pyHanko) unless present.
ensure_bench_venv() {
    local venv="$COUNTERSIGN_ROOT/.venv-bench"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import typst, reportlab, pyhanko" 2>/dev/null; then
        echo "Creating $venv with typst, reportlab and pyHanko" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check typst reportlab pyhanko pyhanko-cli
    fi
}
