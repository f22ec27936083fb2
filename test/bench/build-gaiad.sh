#!/usr/bin/env bash
# Builds gaiad (the Cosmos Hub's Go Cosmos SDK chain) for `make bench`'s comparison, from the Go
# module proxy: `go mod download` of github.com/cosmos/gaia/v$MAJOR@$GAIA_VERSION, a writable copy
# of that module (go install @version refuses modules with replace directives, which gaia has),
# `go build ./cmd/gaiad` there, the binary copied to $1. The module and build caches stay in Go's
# default places; the copy goes to ~/.cache/blockai. GAIAD_BUILD_JOBS (default 1) limits parallel
# compiles so a shared machine stays usable. The build uses the Go toolchain that gaia's go.mod
# names (`toolchain go1.24.3` for v25.1.1), which the go command fetches through the module proxy:
# a dependency of gaia (bytedance/sonic v1.13.2) does not compile with Go 1.26.
# GAIAD_GOTOOLCHAIN=local (or goX.Y.Z) overrides that.
set -euo pipefail
out="$1"
version="${GAIA_VERSION:?GAIA_VERSION is not set}"
major="${version%%.*}"
module="github.com/cosmos/gaia/${major}"
command -v go >/dev/null || { echo "Go is needed to build gaiad"; exit 1; }
export GOFLAGS="-p=${GAIAD_BUILD_JOBS:-1} -buildvcs=false"

echo "gaiad: go mod download ${module}@${version}"
src_dir="$(cd "${TMPDIR:-/tmp}" && go mod download -json "${module}@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
[ -d "$src_dir" ] || { echo "gaiad: go mod download did not give a module directory"; exit 1; }

copy="${XDG_CACHE_HOME:-$HOME/.cache}/blockai/gaia-${version}"
rm -rf "$copy"
mkdir -p "$(dirname "$copy")"
cp -r "$src_dir" "$copy"
chmod -R u+w "$copy"
toolchain="$(sed -n 's/^toolchain[[:space:]]*//p' "$copy/go.mod")"
export GOTOOLCHAIN="${GAIAD_GOTOOLCHAIN:-${toolchain:-local}}"

echo "gaiad: go build ./cmd/gaiad in $copy ($(go version), ${GOFLAGS}; takes a while)"
cd "$copy"
go mod download
# The version fields gaia's own Makefile sets (`gaiad version` is empty without them).
sdk=github.com/cosmos/cosmos-sdk/version
go build -ldflags "-X $sdk.Name=gaia -X $sdk.AppName=gaiad -X $sdk.Version=$version" -o "$out.tmp" ./cmd/gaiad
mv "$out.tmp" "$out"
"$out" version --long | grep -E "^(version|go|cosmos_sdk_version):" || true
