#!/usr/bin/env bash
# The packages on a fresh Debian 12, as root: builds the desktop .deb (Tauri's bundler, reusing
# the debug build) and fengqiao-county's .deb (scripts/build-county-deb.sh), installs both,
# starts the county service over a county database of the previous schema, starts the app
# under Xvfb over a clerk's data directory made by the previous schema with records in it and
# checks its first screen, upgrades both packages
# (a second build with a higher version), checks the records and the county's data are still
# there, uninstalls — data directories intact. Prints the time each step took.
#
# Needs what `.ci/run` installs (Rust, Node and ui/node_modules, the WebKitGTK development
# packages); installs Xvfb, x11-utils, ImageMagick and curl itself when they are missing.
# It installs and removes system packages and creates the users `fengqiao` and `fqclerk`:
# run it in a throwaway machine or container.
#
#   scripts/package-test.sh [--reuse-build]
#
# --reuse-build: ui/dist and the debug binaries are current (test-all.sh built them with
# `cargo test --workspace`); nothing is compiled, the packages are made from those binaries.
#
# Without a running systemd (a CI container), the county service is run the way its unit
# says: the unit's ExecStart, with its EnvironmentFile, as its User — and the script says so.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)
export DEBIAN_FRONTEND=noninteractive

reuse_build=0
[[ ${1:-} == --reuse-build ]] && reuse_build=1

if [[ $(id -u) -ne 0 ]]; then
  echo "package-test: run as root (it installs packages)" >&2
  exit 1
fi

t0=$(date +%s)
step_start=$t0
step() {
  local now; now=$(date +%s)
  printf '\n== [%4ds, +%ds] %s\n' $((now - t0)) $((now - step_start)) "$*"
  step_start=$now
}
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

# Cargo's target directory (CARGO_TARGET_DIR when set, as cargo does).
target_dir=${CARGO_TARGET_DIR:-target}
out=target/packages
mkdir -p "$out"
app_pkg=fengqiao-desktop   # Debian names are ASCII: tauri.linux.conf.json sets it
clerk=fqclerk
upgrade_suffix="+pkgtest1"

# --- Cleanup: whatever this script started, stopped; packages of an earlier run removed. ---
pids=()
tools=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n $tools ]] && rm -rf "$tools"
}
trap cleanup EXIT

step "tools: Xvfb, x11-utils, ImageMagick, curl"
need=()
for p in xvfb x11-utils imagemagick curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
for p in "$app_pkg" fengqiao-county; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed"; then
    echo "removing $p left from an earlier run"
    apt-get remove -y -q "$p" >/dev/null
  fi
done

# The county's data directory of an earlier run of this script goes; anyone else's stays.
if [[ -e /var/lib/fengqiao ]]; then
  [[ -f /var/lib/fengqiao/.made-by-package-test ]] || fail "/var/lib/fengqiao exists and was not made by this script"
  rm -rf /var/lib/fengqiao
fi
: > "$out/county.log"

step "build: UI and binaries; desktop .deb (tauri bundle --debug --bundles deb); fengqiao-county .deb"
[[ -d ui/node_modules ]] || npm --prefix ui install --no-audit --no-fund
if [[ $reuse_build == 1 && -f ui/dist/index.html && -x "$target_dir/debug/fengqiao" ]]; then
  echo "reusing ui/dist and the debug binaries (--reuse-build)"
else
  npm --prefix ui run build | tail -3
  npm --prefix ui run build:county | tail -3
  cargo build -q -p fengqiao-desktop -p fengqiao-cli -p fengqiao-county -p fengqiao-store --bins --examples --locked
fi
rm -rf "$target_dir/debug/bundle/deb"
# The bundler patches target/debug/fengqiao in place; while that binary runs (the e2e tests of
# a shared working tree) it fails with "Text file busy": wait and try again.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if (cd src-tauri && ../ui/node_modules/.bin/tauri bundle --debug --bundles deb --ci) 2>&1 | tee "$out/tauri-build.log"; then
    grep -q 'Finished 1 bundle' "$out/tauri-build.log" && break
  fi
  grep -q 'Text file busy' "$out/tauri-build.log" || fail "tauri bundle (see $out/tauri-build.log)"
  echo "target/debug/fengqiao is running elsewhere; retrying in 30 s ($attempt/10)"
  sleep 30
done
app_deb=$(ls "$target_dir"/debug/bundle/deb/*.deb | head -1)
[[ -f "$app_deb" ]] || fail "no desktop .deb"
cp "$app_deb" "$out/"
app_deb="$out/$(basename "$app_deb")"
county_deb=$(scripts/build-county-deb.sh --debug --no-build)
# Copied where the service and clerk users can run them (the checkout may be under /root).
tools=$(mktemp -d /tmp/fengqiao-package-test.XXXXXX)
chmod 755 "$tools"
cp "$target_dir/debug/fengqiao-cli" "$target_dir/debug/examples/old-store" "$target_dir/debug/examples/old-county" "$tools/"
cli="$tools/fengqiao-cli"
old_store="$tools/old-store"
old_county="$tools/old-county"

# The "new release" to upgrade to: the same build, repacked with a higher version (it runs
# the maintainer scripts' upgrade path; the schema upgrade is the data directory's).
repack() {
  local deb=$1 dir; dir=$(mktemp -d)
  dpkg-deb -R "$deb" "$dir/x"
  local v; v=$(sed -n 's/^Version: //p' "$dir/x/DEBIAN/control")
  sed -i "s/^Version: .*/Version: $v$upgrade_suffix/" "$dir/x/DEBIAN/control"
  local new="$out/$(basename "$deb" .deb | sed "s/_${v}_/_${v}${upgrade_suffix}_/").deb"
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$dir/x" "$new" >/dev/null
  rm -rf "$dir"
  echo "$new"
}
app_deb2=$(repack "$app_deb")
county_deb2=$(repack "$county_deb")
ls -l "$out"/*.deb

step "package contents: names, dependencies, menu entry, icon, unit"
app_files=$(dpkg-deb -c "$app_deb")
county_files=$(dpkg-deb -c "$county_deb")
[[ $(dpkg-deb -f "$app_deb" Package) == "$app_pkg" ]] || fail "desktop package is not named $app_pkg: $(dpkg-deb -f "$app_deb" Package)"
depends=$(dpkg-deb -f "$app_deb" Depends)
echo "desktop Depends: $depends"
for d in libwebkit2gtk-4.1-0 libgtk-3-0 fonts-noto-cjk; do [[ $depends == *"$d"* ]] || fail "desktop .deb does not depend on $d"; done
desktop_file=$(grep -o 'usr/share/applications/[^ ]*\.desktop' <<<"$app_files" || true)
[[ -n $desktop_file ]] || fail "no menu entry (.desktop) in the desktop .deb"
dpkg-deb --fsys-tarfile "$app_deb" | tar -xO --wildcards "*$desktop_file" > "$out/menu-entry.desktop"
cat "$out/menu-entry.desktop"
grep -qx 'Name=枫桥司法所工作台' "$out/menu-entry.desktop" || fail "menu entry's name"
grep -qx 'Name\[zh_CN\]=枫桥司法所工作台' "$out/menu-entry.desktop" || fail "menu entry's Chinese name"
grep -qx 'Exec=fengqiao' "$out/menu-entry.desktop" || fail "menu entry's command"
grep -q 'usr/share/icons/hicolor/128x128/apps/fengqiao.png' <<<"$app_files" || fail "no icon"
grep -q 'lib/systemd/system/fengqiao-county.service' <<<"$county_files" || fail "no unit"
grep -q 'etc/fengqiao/county.env' <<<"$county_files" || fail "no settings file"
[[ $(dpkg-deb -I "$county_deb" conffiles) == /etc/fengqiao/county.env ]] || fail "county.env is not a conffile"

step "install both packages (apt resolves their dependencies)"
apt-get install -y -q "$root_dir/$app_deb" "$root_dir/$county_deb" >/dev/null
command -v fengqiao >/dev/null || fail "/usr/bin/fengqiao missing"
getent passwd fengqiao >/dev/null || fail "no system user fengqiao"
[[ $(stat -c '%U %a' /var/lib/fengqiao) == "fengqiao 750" ]] || fail "/var/lib/fengqiao: $(stat -c '%U %a' /var/lib/fengqiao)"
[[ $(stat -c '%G %a' /etc/fengqiao/county.env) == "fengqiao 640" ]] || fail "county.env permissions"
fengqiao --version
touch /var/lib/fengqiao/.made-by-package-test

# --- The county service. ---
county_pid=""
if [[ -d /run/systemd/system ]]; then
  systemd=1
else
  systemd=0
  echo "NOTE: systemd is not running here (a container): the county service is started the way"
  echo "      its unit says — ExecStart with EnvironmentFile=/etc/fengqiao/county.env, as User=fengqiao."
fi
unit=/lib/systemd/system/fengqiao-county.service
start_county() {
  if ((systemd)); then
    systemctl restart fengqiao-county
  else
    local exec_start user
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    user=$(sed -n 's/^User=//p' "$unit")
    install -d -o "$user" -g "$user" -m 0750 /var/lib/fengqiao   # StateDirectory=
    # sh expands ${VAR} and $VAR (split on spaces) as systemd does for these settings.
    runuser -u "$user" -- sh -c "set -a; . /etc/fengqiao/county.env; set +a; cd /var/lib/fengqiao; exec $exec_start" \
      >>"$out/county.log" 2>&1 &
    county_pid=$!
    pids+=("$county_pid")
  fi
  for _ in $(seq 1 60); do
    curl -fsS http://127.0.0.1:8443/api/v1/health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cat "$out/county.log" 2>/dev/null || journalctl -u fengqiao-county --no-pager | tail -20
  fail "the county service did not answer on 127.0.0.1:8443"
}
stop_county() {
  if ((systemd)); then
    systemctl stop fengqiao-county
  elif [[ -n $county_pid ]]; then
    kill "$county_pid"; wait "$county_pid" 2>/dev/null || true; county_pid=""
  fi
}

step "county: service up over a database of the previous schema — migrated after a backup; an office registered"
# The county's database as the previous release left it: schema 1, an office with a record.
((systemd)) && stop_county   # postinst started it on a fresh database
rm -f /var/lib/fengqiao/county.db*
install -d -o fengqiao -g fengqiao -m 0750 /var/lib/fengqiao
runuser -u fengqiao -- "$old_county" /var/lib/fengqiao 1
start_county
ls /var/lib/fengqiao/backups/county-schema1-*.db >/dev/null || fail "no backup of the county database named with schema 1"
grep -q 西岭镇司法所 <<<"$(fengqiao-county-admin office list)" || fail "the old county database's office is gone"
curl -fsS http://127.0.0.1:8443/api/v1/health; echo
if ((systemd)); then
  systemctl is-active fengqiao-county
  [[ $(ps -o user= -p "$(systemctl show -p MainPID --value fengqiao-county)") == fengqiao ]] || fail "not running as fengqiao"
else
  [[ $(ps -o user= -p "$(pgrep -P "$county_pid" -n || echo "$county_pid")") == fengqiao ]] || fail "not running as fengqiao"
fi
fengqiao-county-admin office add --name 城关镇司法所 --division-code 350102001 --json | tee "$out/office.json"
grep -q 城关镇司法所 <<<"$(fengqiao-county-admin office list)" || fail "office list"
[[ $(stat -c %U /var/lib/fengqiao/county.db) == fengqiao ]] || fail "county.db is not the service user's"

# --- The desktop app, over a clerk's data directory of the previous schema. ---
id "$clerk" >/dev/null 2>&1 || useradd -m -s /bin/bash "$clerk"
home=$(getent passwd "$clerk" | cut -d: -f6)
data="$home/.local/share/fengqiao"
rm -rf "$data"
# The previous release's schema: the version before the one this build writes.
current=$("$old_store" current)
previous=$((current - 1))
runuser -u "$clerk" -- "$old_store" make "$data" "$previous" >/dev/null
[[ $(runuser -u "$clerk" -- "$old_store" version "$data") == "$previous" ]] || fail "old store"
echo "clerk's data directory $data: schema $previous, records written by the old schema"

# A display of our own (the e2e harness takes :70–:89).
for n in $(seq 100 199); do
  [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]] || break
done
display=":$n"
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp -ac >/dev/null 2>&1 &
xvfb_pid=$!
pids+=("$xvfb_pid")
sleep 1
kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb did not start on $display"

# Starts the installed app as the clerk; waits for its window and for the first screen to be
# drawn — many colours (a blank window has a few), and the same picture twice a second apart
# (the 工作台 has loaded its figures); saves it as PNG $1.
first_screen() {
  local png=$1 win="" colours=0 sig="" last=""
  runuser -u "$clerk" -- env -i HOME="$home" USER="$clerk" DISPLAY="$display" LANG=zh_CN.UTF-8 \
    PATH=/usr/bin:/bin /usr/bin/fengqiao >"$out/app.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  for _ in $(seq 1 120); do
    win=$(xwininfo -display "$display" -root -tree 2>/dev/null | grep '"枫桥 · 司法所工作台"' | awk '{print $1}' | head -1 || true)
    if [[ -n $win ]]; then
      import -display "$display" -window root "$out/$png" 2>/dev/null || true
      colours=$(identify -format '%k' "$out/$png" 2>/dev/null || echo 0)
      sig=$(identify -format '%#' "$out/$png" 2>/dev/null || echo none)
      ((colours > 200)) && [[ $sig == "$last" ]] && break
      last=$sig
    fi
    kill -0 "$app_pid" 2>/dev/null || { cat "$out/app.log"; fail "the app exited"; }
    sleep 1
  done
  [[ -n $win ]] || { cat "$out/app.log"; fail "no window titled 枫桥 · 司法所工作台"; }
  xwininfo -display "$display" -id "$win" | grep -E 'Width|Height|Map State'
  ((colours > 200)) || fail "the first screen was not drawn ($colours colours in $out/$png)"
  echo "first screen: $out/$png ($colours colours)"
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true
}

records_there() {
  local export
  export=$(runuser -u "$clerk" -- "$cli" --data-dir "$data" export)
  for want in 西岭镇司法所 张伟与邻居排水纠纷 李秀英与物业费纠纷 张伟 李秀英; do
    grep -q "$want" <<<"$export" || fail "record “$want” missing after $1"
  done
  echo "records after $1: $(wc -l <<<"$export") lines exported, the old ones among them"
}

step "desktop: first start over the previous schema — migrated after a backup, first screen shown"
first_screen first-screen.png
[[ $(runuser -u "$clerk" -- "$old_store" version "$data") == "$current" ]] || fail "the app did not migrate the store"
ls "$data/backups/fengqiao-schema$previous-"*.db >/dev/null || fail "no backup named with schema $previous"
ls -l "$data/backups"
records_there "the schema upgrade"

step "upgrade both packages to ${upgrade_suffix#+} (county stopped and started again)"
((systemd)) || stop_county   # prerm stops it under systemd
apt-get install -y -q "$root_dir/$app_deb2" "$root_dir/$county_deb2" >/dev/null
dpkg-query -W -f='${Version}\n' "$app_pkg" fengqiao-county
((systemd)) || start_county
curl -fsS http://127.0.0.1:8443/api/v1/health >/dev/null || fail "county after upgrade"
grep -q 城关镇司法所 <<<"$(fengqiao-county-admin office list)" || fail "county data after the upgrade"
grep -q 西岭镇司法所 <<<"$(fengqiao-county-admin office list)" || fail "county data after the upgrade"
first_screen first-screen-after-upgrade.png
records_there "the package upgrade"

step "uninstall — data directories intact"
stop_county
apt-get remove -y -q "$app_pkg" >/dev/null
apt-get purge -y -q fengqiao-county >/dev/null
[[ ! -e /usr/bin/fengqiao && ! -e /usr/bin/fengqiao-county ]] || fail "binaries left behind"
[[ ! -e "/$desktop_file" ]] || fail "menu entry left behind"
[[ -f /var/lib/fengqiao/county.db ]] || fail "county data removed"
[[ -f "$data/fengqiao.db" ]] || fail "office data removed"
records_there "uninstalling"
ls -l /var/lib/fengqiao "$data"

step "done: package test passed"
