#!/usr/bin/env bash
# Builds fengqiao-county_VERSION_ARCH.deb with dpkg-deb (no cargo-deb): the binary, the
# systemd unit, the commented settings /etc/fengqiao/county.env (a conffile), the admin
# wrapper, and postinst/prerm/postrm (packaging/county/).
#
#   scripts/build-county-deb.sh [--debug] [--no-build] [--version V] [--out DIR]
#
# --debug packages target/debug (the package test reuses the test build; a release build
# from scratch takes long on 2 cores). --version overrides the workspace version (the
# package test builds a second, higher one to upgrade to). --no-build packages the binary that
# is there (the package test's, built by `cargo test --workspace`). Output: target/packages/.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
build=1
version=""
out=target/packages
while (($#)); do
  case "$1" in
    --debug) profile=debug ;;
    --no-build) build=0 ;;
    --version) version="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "用法：$0 [--debug] [--no-build] [--version V] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z "$version" ]]; then
  version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
fi
arch=$(dpkg --print-architecture)

bin="${CARGO_TARGET_DIR:-target}/$profile/fengqiao-county"
if [[ $build == 0 ]]; then
  [[ -x $bin ]] || { echo "--no-build: $bin 不存在，请先编译" >&2; exit 1; }
elif [[ $profile == release ]]; then
  cargo build -p fengqiao-county --release --locked
else
  cargo build -p fengqiao-county --locked
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/sbin" "$root/lib/systemd/system" \
  "$root/etc/fengqiao" "$root/usr/share/doc/fengqiao-county"
install -m 0755 "$bin" "$root/usr/bin/fengqiao-county"
if [[ $profile == release ]]; then strip "$root/usr/bin/fengqiao-county"; fi
install -m 0755 packaging/county/fengqiao-county-admin "$root/usr/sbin/"
install -m 0644 packaging/county/fengqiao-county.service "$root/lib/systemd/system/"
install -m 0640 packaging/county/county.env "$root/etc/fengqiao/county.env"
install -m 0644 packaging/county/README.Debian "$root/usr/share/doc/fengqiao-county/"
cat > "$root/usr/share/doc/fengqiao-county/copyright" <<'TXT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fengqiao
Files: *
License: MIT or Apache-2.0
TXT
for s in postinst prerm postrm; do install -m 0755 "packaging/county/$s" "$root/DEBIAN/$s"; done
echo /etc/fengqiao/county.env > "$root/DEBIAN/conffiles"

# The newest glibc symbol version the binary needs is the libc6 it depends on.
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<TXT
Package: fengqiao-county
Version: $version
Architecture: $arch
Maintainer: Fengqiao <fengqiao@localhost>
Section: net
Priority: optional
Installed-Size: $size
Depends: libc6 (>= $glibc), libgcc-s1, adduser
Recommends: systemd
Suggests: postgresql
Description: 枫桥县级同步服务（县司法局）
 fengqiao-county is the county server of Fengqiao: the judicial offices' PCs
 sync their records to it over HTTP(S); it enrolls devices with one-time codes,
 sends 刑满释放人员通知书 to the offices and exports an office's records.
 .
 Runs as the systemd service fengqiao-county under the system user fengqiao;
 settings in /etc/fengqiao/county.env; data in /var/lib/fengqiao (embedded
 SQLite) or PostgreSQL; logs to the journal.
TXT

mkdir -p "$out"
deb="$out/fengqiao-county_${version}_${arch}.deb"
# xz for the release package; a quick gzip for the (large, unstripped) debug one.
if [[ $profile == release ]]; then compress=(-Zxz -z6); else compress=(-Zgzip -z1); fi
dpkg-deb --root-owner-group "${compress[@]}" --build "$root" "$deb" >/dev/null
echo "$deb"
