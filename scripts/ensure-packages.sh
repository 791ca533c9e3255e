# Sourced by the scripts: installs the Debian packages Portage needs when they are missing.
# Usage: ensure_packages PACKAGE...
ensure_packages() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "portage: installing missing Debian packages: ${missing[*]}" >&2
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "portage: need root (or sudo) to install ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building needs beyond the Swift toolchain: libxml2's headers (the XML/SOAP module), SQLite's (the batch journal, through GRDB), libcurl's (SFTP drop directories).
BUILD_PACKAGES=(libxml2-dev libsqlite3-dev libcurl4-openssl-dev)
# What the tests need: GnuCOBOL for the real COBOL backend, curl and python3 for the command-line smoke test,
# PHP (cli, soap, xml for DOM) and spyne for the real SOAP backends, openssl for the TLS tests' certificates.
TEST_PACKAGES=("${BUILD_PACKAGES[@]}" gnucobol3 curl python3 openssl php-cli php-soap php-xml python3-spyne openssh-server vsftpd)
# What the demo needs: only what building needs (the simulated backends run in process).
DEMO_PACKAGES=("${BUILD_PACKAGES[@]}")
