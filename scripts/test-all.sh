#!/usr/bin/env bash
# Every test: the Rust workspace, the UI's type check and unit tests, the TypeScript bindings
# being current, and the end-to-end tests of the real desktop app (WebdriverIO + tauri-driver
# + WebKitWebDriver under Xvfb). `.ci/run` installs what this needs on a fresh Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

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

step "cargo test --workspace --locked"
cargo test --workspace --locked

step "TypeScript bindings are current (ui/src/generated)"
FENGQIAO_CHECK_BINDINGS=1 cargo test -p fengqiao-app --features ts --locked --test bindings

step "UI unit tests (Vitest)"
npm --prefix ui run test:unit

step "desktop end-to-end tests"
cargo build -p fengqiao-desktop --locked
npm --prefix ui run test:e2e

# The packages: builds both .deb (reusing the builds above), installs them into this machine,
# starts the county service and the app, upgrades, uninstalls (about 70 s here). It installs
# system packages, so only as root — CI's fresh Debian 12 machine.
if [[ $(id -u) -eq 0 ]]; then
  step "packages: build, install, upgrade, uninstall (scripts/package-test.sh)"
  bash scripts/package-test.sh --reuse-ui
else
  step "packages: skipped — scripts/package-test.sh installs packages and runs only as root"
fi

step "county dashboard browser tests (Chromium)"
cargo build -p fengqiao-county -p fengqiao-cli --locked
npm --prefix ui run test:county
