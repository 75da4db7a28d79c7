# Shared by scripts/demo and scripts/test: install whatever is missing, idempotently.
# Sourced, not run. Works as root; as another user it needs sudo for apt-get and for
# starting PostgreSQL.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.11"
# scripts/bin first: its wasm-opt skips the tiny chunks of a split build (see there).
export PATH="$HOME/.cargo/bin:$ROOT/scripts/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Rust toolchain pinned in rust-toolchain.toml, with the WASM target.
ensure_rust() {
  if ! command -v rustup >/dev/null 2>&1; then
    apt_install curl ca-certificates build-essential
    say "installing rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --default-toolchain none --profile minimal
  fi
  apt_install pkg-config gcc
  (cd "$ROOT" && rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install)
  (cd "$ROOT" && rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown)
}

# The fonts the server draws text in SVG badges with (Open Graph, signature and PNG
# renditions; read from these Debian paths only, see public_pages/images/svg.rs).
ensure_fonts() {
  apt_install fonts-dejavu-core fonts-liberation
}

# cargo-leptos, and the wasm-bindgen CLI at exactly the version in Cargo.lock.
ensure_leptos_tools() {
  if ! cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once per machine)"
    (cd "$ROOT" && cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked)
  fi
  local wb
  wb="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wb"; then
    say "installing wasm-bindgen-cli $wb"
    # Without --locked: with it, a locked dependency is missing from the registry index.
    (cd "$ROOT" && cargo install wasm-bindgen-cli --version "$wb" --force)
  fi
}

# Node packages of end2end/: Playwright, axe-core, and binaryen's wasm-opt for release
# builds (never Debian's binaryen 108, which breaks hydration).
ensure_node_packages() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing end2end npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The Digital Bazaar verifier stack for the interop test (openbadges/interop).
# Installed again whenever the lock file changes (a stamp of its hash, not file times,
# which a fresh clone sets arbitrarily).
ensure_interop_packages() {
  local dir="$ROOT/openbadges/interop" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$dir/node_modules/.badgefolio-lock" 2>/dev/null)" != "$want" ]; then
    say "installing the interop npm packages"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) &&
      echo "$want" >"$dir/node_modules/.badgefolio-lock"
  fi
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

# A running PostgreSQL with a `badgefolio` role that may create test databases.
# Exports BADGEFOLIO_TEST_DATABASE_URL.
ensure_postgres() {
  apt_install postgresql
  local ver
  ver="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    as_root pg_createcluster "$ver" main >/dev/null
  fi
  local cluster
  cluster="$(pg_lsclusters -h | head -1)"
  local cver cname cport cstatus
  read -r cver cname cport cstatus _ <<<"$cluster"
  if [ "$cstatus" != online ]; then
    say "starting PostgreSQL $cver/$cname"
    as_root pg_ctlcluster "$cver" "$cname" start
  fi
  as_root su postgres -c "psql -q -p $cport -v ON_ERROR_STOP=1" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'badgefolio') THEN
    CREATE ROLE badgefolio LOGIN CREATEDB PASSWORD 'badgefolio';
  END IF;
END $$;
SQL
  export BADGEFOLIO_TEST_DATABASE_URL="postgres://badgefolio:badgefolio@127.0.0.1:$cport/postgres"
  # Drop the databases earlier test runs left behind.
  as_root su postgres -c "psql -qAt -p $cport -c \"SELECT datname FROM pg_database WHERE datname LIKE 'bf_test_%'\"" \
    | while read -r db; do as_root su postgres -c "dropdb -p $cport --if-exists $db"; done
}
