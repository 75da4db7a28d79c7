import { defineConfig } from "@playwright/test";

// The server under test: the release binary and site built by `cargo leptos build --release`,
// on a fresh SQLite database with the demo data, on its own port.
const port = process.env.BADGEFOLIO_E2E_PORT ?? "3107";
const baseURL = `http://127.0.0.1:${port}`;
const bin = process.env.BADGEFOLIO_BIN ?? "../target/release/badgefolio";
const siteRoot = process.env.BADGEFOLIO_SITE_ROOT ?? "../target/site";
const dataDir = process.env.BADGEFOLIO_E2E_DATA_DIR ?? "test-results/e2e-data";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: "list",
  use: {
    baseURL,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: {
    command:
      `rm -rf '${dataDir}' && '${bin}' seed-demo >/dev/null && exec '${bin}' serve`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      BADGEFOLIO_ADDR: `127.0.0.1:${port}`,
      BADGEFOLIO_DATA_DIR: dataDir,
      BADGEFOLIO_SITE_ROOT: siteRoot,
      BADGEFOLIO_DATABASE_URL: "",
      BADGEFOLIO_PUBLIC_URL: "",
      // Many specs sign the demo learner in within minutes (the limit is tested on its own).
      BADGEFOLIO_SIGN_IN_BURST: "1000",
      RUST_LOG: "warn",
    },
  },
});
