#!/usr/bin/env bash
# Every test: the Rust workspace, the UI's type check and unit tests, the TypeScript bindings
# being current, and the end-to-end tests of the real desktop app (WebdriverIO + tauri-driver
# + WebKitWebDriver under Xvfb). `.ci/run` installs what this needs on a fresh Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how much disk is left: CI machines are small, and a full build is several GB.
step() { printf '\n== %s   [disk free: %s]\n' "$*" "$(df -h --output=avail . | tail -1 | tr -d ' ')"; }

if [[ ! -d ui/node_modules ]]; then
  step "npm install (ui)"
  npm --prefix ui install --no-audit --no-fund
fi

# The desktop embeds ui/dist and fengqiao-county ui/dist-county at compile time, so both
# front ends are built before cargo compiles them.
step "cargo fmt --all --check (rustfmt.toml: the project's 150-column style)"
cargo fmt --all --check

step "UI: type check and build"
npm --prefix ui run build
npm --prefix ui run build:county

# One build for everything below: the tests, the TypeScript bindings check (crates/app/tests/
# bindings.rs), and the binaries the later steps run — fengqiao (built for its command-line
# test), fengqiao-cli, fengqiao-county and the old-schema examples. A separate `cargo build -p`
# resolves other features and compiles most of the workspace again, which costs time and
# several GB of disk; the steps below therefore use these binaries and build nothing.
step "cargo test --workspace --locked (with the TypeScript bindings check)"
cargo test --workspace --locked

step "UI unit tests (Vitest)"
npm --prefix ui run test:unit

step "desktop end-to-end tests"
npm --prefix ui run test:e2e

# The packages: builds both .deb (reusing the builds above), installs them into this machine,
# starts the county service and the app, upgrades, uninstalls (about 70 s here). It installs
# system packages, so only as root — CI's fresh Debian 12 machine.
if [[ $(id -u) -eq 0 ]]; then
  step "packages: build, install, upgrade, uninstall (scripts/package-test.sh)"
  bash scripts/package-test.sh --reuse-build
else
  step "packages: skipped — scripts/package-test.sh installs packages and runs only as root"
fi

step "county dashboard browser tests (Chromium)"
npm --prefix ui run test:county

step "done"
