#!/usr/bin/env bash
# Build the ACCTSRV COBOL transaction and its TCP listener.
#
# Usage: build.sh OUTDIR
#   Produces OUTDIR/acctsrv (OUTDIR is created if missing).
#   Needs GnuCOBOL 3 (cobc, cob-config) and a C compiler (cc).
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

# Directory holding this script and the sources, whatever the caller's cwd.
case "${BASH_SOURCE[0]}" in
    */*) SRC_DIR="${BASH_SOURCE[0]%/*}" ;;
    *) SRC_DIR="." ;;
esac
SRC_DIR="$(cd "$SRC_DIR" && pwd)"
OUT_DIR="$1"

for tool in cobc cob-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' not found on PATH; install GnuCOBOL 3 (e.g. apt-get install gnucobol3)" >&2
        exit 127
    fi
done
if ! command -v cc >/dev/null 2>&1; then
    echo "error: 'cc' not found on PATH; install a C compiler" >&2
    exit 127
fi

mkdir -p "$OUT_DIR"
OUT_DIR="$(cd "$OUT_DIR" && pwd)"

read -r -a COB_CFLAGS <<<"$(cob-config --cflags)"
read -r -a COB_LIBS <<<"$(cob-config --libs)"

# COBOL program -> object with a plain C entry point ACCTSRV().
# Default GnuCOBOL options (ASCII sign handling, no -fsign=EBCDIC).
cobc -c -static -I "$SRC_DIR" -o "$OUT_DIR/ACCTSRV.o" "$SRC_DIR/ACCTSRV.cob"

# Listener, calling ACCTSRV statically.
cc -std=gnu11 -O2 -Wall -Wextra "${COB_CFLAGS[@]}" \
    -c -o "$OUT_DIR/acctsrv-main.o" "$SRC_DIR/acctsrv.c"

cc -o "$OUT_DIR/acctsrv" "$OUT_DIR/acctsrv-main.o" "$OUT_DIR/ACCTSRV.o" \
    "${COB_LIBS[@]}"

echo "built $OUT_DIR/acctsrv"
