//! Command line and configuration. Every option is also an environment variable, with
//! the same defaults the README lists.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Badgefolio: micro-credentials and verifiable digital badges.
#[derive(Debug, Parser)]
#[command(name = "badgefolio", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Directory for the embedded database and uploaded files.
    #[arg(
        long,
        env = "BADGEFOLIO_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL. Default: a SQLite file `badgefolio.db` in the data directory.
    /// A `postgres://` URL selects PostgreSQL.
    #[arg(long, env = "BADGEFOLIO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address to listen on.
    #[arg(
        long,
        env = "BADGEFOLIO_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,

    /// External base URL, as people reach the site. Default: `http://` + the address.
    /// Cookies are marked `Secure` (and HSTS is sent) when it starts with `https://`.
    #[arg(long, env = "BADGEFOLIO_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Directory with the built site (`pkg/` with the WASM, JS and CSS) made by cargo-leptos.
    #[arg(
        long,
        env = "BADGEFOLIO_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// File with the key that seals the issuers' signing keys in the database. Default:
    /// `secret.key` in the data directory, created (mode 0600) on first start. Back it
    /// up: without it the stored signing keys cannot be opened.
    #[arg(long, env = "BADGEFOLIO_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,

    /// The same key as base64 text, instead of the file (for several servers on one
    /// database, give each the same key). Prefer the environment variable: command-line
    /// arguments are visible to other users of the machine.
    #[arg(
        long,
        env = "BADGEFOLIO_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<SecretText>,

    /// Reverse proxies in front of Badgefolio, as comma-separated CIDRs or addresses
    /// (`10.0.0.0/8,::1`). Only when a request comes from one of them is the client
    /// address taken from `X-Forwarded-For` (or `Forwarded: for=`); it is what sign-in
    /// and sign-up limits count. Default: none, the TCP peer is the client.
    #[arg(
        long,
        env = "BADGEFOLIO_TRUSTED_PROXIES",
        value_parser = parse_proxy_list,
        default_value = "",
        hide_default_value = true,
        global = true
    )]
    pub trusted_proxies: ProxyList,

    /// The forwarding header the trusted proxies write: `x-forwarded-for` or
    /// `forwarded`. Only that one is read (a proxy passes the other on as the client
    /// sent it).
    #[arg(
        long,
        env = "BADGEFOLIO_FORWARDING_HEADER",
        default_value = "x-forwarded-for",
        global = true
    )]
    pub forwarding_header: app::server::client_addr::ForwardingHeader,

    /// SMTP server for outgoing mail (confirmation and reset links, invitations):
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://user:pass@host`
    /// (TLS, port 465), or `smtp://host:25` (no TLS, for a relay on the same machine).
    /// Not set: mails are written to the log and shown on the outbox page
    /// (`/admin/outbox`) for platform admins. Prefer the environment variable: the URL
    /// may hold a password.
    #[arg(
        long,
        env = "BADGEFOLIO_SMTP_URL",
        hide_env_values = true,
        global = true
    )]
    pub smtp_url: Option<SecretText>,

    /// The sender of every mail, e.g. `Badgefolio <badges@example.edu>`. Default:
    /// `Badgefolio <noreply@HOST>` with the public URL's host.
    #[arg(long, env = "BADGEFOLIO_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Let the verifier fetch documents from loopback addresses (127.0.0.0/8, `::1`,
    /// `localhost`), over plain http too, so a `did:web` issuer on this machine can be
    /// checked: for local test fixtures only. Private networks and cloud metadata
    /// addresses stay refused whatever this says. Off by default;
    /// the variable takes `true`/`false` (also `yes`/`no`, `1`/`0`).
    #[arg(long, env = "BADGEFOLIO_FETCH_ALLOW_LOOPBACK", global = true)]
    pub fetch_allow_loopback: bool,

    /// Sign-in attempts allowed at once for one account, then one more a minute. The
    /// browser tests, which sign the demo learner in from many specs within minutes,
    /// raise it; keep the default in production.
    #[arg(
        long,
        env = "BADGEFOLIO_SIGN_IN_BURST",
        global = true,
        default_value_t = app::server::rate_limit::ACCOUNT_BURST
    )]
    pub sign_in_burst: u32,

    /// How many awards (and as many imported badges) the background re-check of stored
    /// verdicts refreshes per round, longest unchecked first; 0 turns it off.
    #[arg(
        long,
        env = "BADGEFOLIO_RECHECK_BATCH",
        default_value_t = 50,
        global = true
    )]
    pub recheck_batch: u64,

    /// Seconds between two rounds of the background re-check.
    #[arg(
        long,
        env = "BADGEFOLIO_RECHECK_EVERY_SECS",
        default_value_t = 60,
        global = true
    )]
    pub recheck_every_secs: u64,

    /// Log format: human-readable text or JSON lines.
    #[arg(long, env = "BADGEFOLIO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// Secret text from the command line or environment; `Debug` never shows it.
#[derive(Clone)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for SecretText {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// The parsed `--trusted-proxies` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyList(pub Vec<ipnet::IpNet>);

fn parse_proxy_list(s: &str) -> Result<ProxyList, String> {
    app::server::client_addr::parse_cidrs(s).map(ProxyList)
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("badgefolio.db").display()
            ),
        }
    }

    /// The secret-key file in effect.
    pub fn secret_key_file(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// The key that seals issuers' signing keys: from `BADGEFOLIO_SECRET_KEY`, or read
    /// from the key file. The file is created only at its default place and only when
    /// `may_create` (a database without sealed keys): a mistyped path or a lost file
    /// never silently becomes a new key.
    ///
    /// # Errors
    /// A malformed key, or a key file that cannot be read (or created).
    pub fn key_encryption_key(
        &self,
        may_create: bool,
    ) -> Result<
        app::server::issuing::secrets::KeyEncryptionKey,
        app::server::issuing::secrets::SecretError,
    > {
        use app::server::issuing::secrets::KeyEncryptionKey;
        match &self.secret_key {
            Some(key) if !key.0.trim().is_empty() => KeyEncryptionKey::from_base64(&key.0),
            _ if may_create && self.secret_key_file.is_none() => {
                KeyEncryptionKey::load_or_create(&self.secret_key_file())
            }
            _ => KeyEncryptionKey::load(&self.secret_key_file()),
        }
    }

    /// How mail is delivered, as configured.
    pub fn mail_settings(&self) -> app::server::mail::sender::MailSettings {
        use app::server::mail::sender::{MailSettings, default_from};
        let public_url = self.public_url();
        MailSettings {
            smtp_url: self
                .smtp_url
                .as_ref()
                .map(|s| s.0.trim().to_string())
                .filter(|s| !s.is_empty()),
            from: self
                .mail_from
                .as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_from(&public_url)),
        }
    }

    /// The public base URL in effect, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.addr),
        }
    }
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations, then serve (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// For local trials only: load the demo institution and accounts and print the logins.
    ///
    /// Every demo account has the published password `badgefolio-demo`, so this must
    /// never run against a real installation. It marks the database it fills as a demo
    /// database and is idempotent there (the demo script runs it on every start); it
    /// refuses a database that is not so marked and already has accounts.
    SeedDemo,
    /// Create an account.
    CreateUser(CreateUser),
    /// Sign, verify and revoke Open Badges credentials.
    #[command(subcommand)]
    Credential(CredentialCommand),
    /// Create institutions and manage their signing keys.
    #[command(subcommand)]
    Institution(InstitutionCommand),
    /// Award a badge to an address (pending until an account confirms it).
    Award(AwardArgs),
    /// Benchmark (run by scripts/bench): bulk award ROWS rows into the configured,
    /// empty database and print the figures. Never on a real installation.
    #[command(hide = true)]
    BenchBulk {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// Benchmark (run by scripts/bench): a learner with BADGES badges in the configured
    /// scratch database; prints the server render time and HTML size of the badge wall.
    #[command(hide = true)]
    BenchPortfolio {
        #[arg(long, default_value_t = 1_000)]
        badges: usize,
    },
}

/// Options of `award`.
#[derive(Debug, Args)]
pub struct AwardArgs {
    /// Slug of the institution.
    #[arg(long)]
    pub institution: String,
    /// The badge's name (its current version) or public id.
    #[arg(long)]
    pub badge: String,
    /// The recipient's e-mail address.
    #[arg(long)]
    pub email: String,
    /// The recipient's name, as the credential shows it.
    #[arg(long)]
    pub name: String,
    /// A narrative embedded as evidence.
    #[arg(long, default_value = "")]
    pub narrative: String,
}

/// `badgefolio institution …`.
#[derive(Debug, Subcommand)]
pub enum InstitutionCommand {
    /// Create an institution with its signing key and revocation list. Its slug becomes
    /// part of every badge's address and must never change once badges are issued.
    Create {
        /// Short name in URLs and DIDs: 2-64 of a-z, 0-9 and '-'.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// The institution's web site.
        #[arg(long, default_value = "")]
        url: String,
        /// Contact email.
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Retire the active signing key and make a new one (old badges keep verifying).
    RotateKey {
        /// The institution's slug.
        slug: String,
    },
    /// Mark a signing key compromised: badges it signed stop verifying. A new key takes
    /// over if it was the active one.
    CompromiseKey {
        /// The institution's slug.
        slug: String,
        /// The key's public Multikey (`z6Mk…`), as listed in the DID document.
        public_key: String,
    },
}

/// `badgefolio credential …`.
#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Verify a credential: JSON, VC-JWT, or a baked PNG/SVG.
    ///
    /// Exit status: 0 verified and active; 1 not verified (a check failed); 2 could not
    /// be verified (a document could not be had, or the format is not supported), or
    /// its standing is unknown; 3 verified but expired, not yet valid, revoked or
    /// suspended; 4 unreadable input.
    Verify {
        /// The file to check.
        file: PathBuf,
        /// Print the structured report as JSON.
        #[arg(long)]
        json: bool,
        /// Also check that the badge was issued to this email address.
        #[arg(long)]
        recipient: Option<String>,
    },
    /// Sign an unsigned OB 3.0 credential JSON as an institution and print it.
    Sign {
        /// Slug of the signing institution (`demo` for the demo data).
        #[arg(long)]
        institution: String,
        /// The unsigned credential JSON.
        file: PathBuf,
    },
    /// Revoke a credential we issued (by its `id`, e.g. `urn:uuid:…`).
    Revoke {
        /// The credential's id.
        id: String,
        /// Why it is revoked (kept on record).
        #[arg(long, default_value = "revoked by the issuer")]
        reason: String,
    },
}

/// Options of `create-user`.
#[derive(Debug, Args)]
pub struct CreateUser {
    /// Email address (the login).
    #[arg(long)]
    pub email: String,
    /// Name shown on the site.
    #[arg(long)]
    pub name: String,
    /// Password. Prefer the environment variable, which stays out of shell history.
    #[arg(long, env = "BADGEFOLIO_NEW_USER_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Role of the account.
    #[arg(long, value_enum, default_value_t = RoleArg::Learner)]
    pub role: RoleArg,
    /// Slug of the institution (required for reviewer and issuer-admin).
    #[arg(long)]
    pub institution: Option<String>,
}

/// Roles accepted on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Learner,
    Reviewer,
    IssuerAdmin,
    PlatformAdmin,
}

impl From<RoleArg> for app::model::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Learner => Self::Learner,
            RoleArg::Reviewer => Self::Reviewer,
            RoleArg::IssuerAdmin => Self::IssuerAdmin,
            RoleArg::PlatformAdmin => Self::PlatformAdmin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_follow_the_readme() {
        let cli = Cli::try_parse_from(["badgefolio"]).expect("parse");
        assert!(cli.command.is_none());
        let c = cli.config;
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url(), "http://127.0.0.1:3000");
        assert!(c.database_url().starts_with("sqlite://"));
        assert!(c.database_url().contains("badgefolio.db"));
    }

    #[test]
    fn a_secret_key_file_is_only_made_at_its_default_place_when_allowed() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().to_str().expect("utf-8");
        let explicit = dir.path().join("typo.key");
        let cli = Cli::try_parse_from([
            "badgefolio",
            "--data-dir",
            data,
            "--secret-key-file",
            explicit.to_str().expect("utf-8"),
        ])
        .expect("parse");
        assert!(
            cli.config.key_encryption_key(true).is_err(),
            "never created at an explicit path"
        );
        assert!(!explicit.exists());
        let cli = Cli::try_parse_from(["badgefolio", "--data-dir", data]).expect("parse");
        assert!(
            cli.config.key_encryption_key(false).is_err(),
            "not made when the database has sealed keys"
        );
        let made = cli.config.key_encryption_key(true).expect("made");
        let again = cli.config.key_encryption_key(false).expect("read");
        assert_eq!(made.to_base64(), again.to_base64());
        assert!(
            !format!(
                "{:?}",
                Cli::try_parse_from(["badgefolio", "--secret-key", "c2VjcmV0"])
                    .expect("parse")
                    .config
            )
            .contains("c2VjcmV0")
        );
    }

    #[test]
    fn trusted_proxies_are_parsed_and_checked() {
        let cli = Cli::try_parse_from(["badgefolio"]).expect("parse");
        assert!(cli.config.trusted_proxies.0.is_empty());
        let cli = Cli::try_parse_from([
            "badgefolio",
            "--trusted-proxies",
            "10.0.0.0/8, 192.0.2.1,fd00::/8",
        ])
        .expect("parse");
        assert_eq!(cli.config.trusted_proxies.0.len(), 3);
        let err = Cli::try_parse_from(["badgefolio", "--trusted-proxies", "10.0.0.0/8,nope"])
            .expect_err("bad entry");
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn seed_demo_help_says_it_is_for_local_trials() {
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("seed-demo")
            .expect("seed-demo")
            .render_long_help()
            .to_string();
        assert!(help.contains("local trials"), "{help}");
        assert!(help.contains("published password"), "{help}");
    }

    #[test]
    fn mail_goes_to_the_log_unless_an_smtp_url_is_given_and_its_password_stays_hidden() {
        let cli = Cli::try_parse_from(["badgefolio"]).expect("parse");
        let mail = cli.config.mail_settings();
        assert_eq!(mail.mode(), "log");
        assert_eq!(mail.from, "Badgefolio <noreply@localhost>");
        let cli = Cli::try_parse_from([
            "badgefolio",
            "--smtp-url",
            "smtps://u:hunter22@mail.example.edu",
            "--mail-from",
            "Badges <badges@example.edu>",
        ])
        .expect("parse");
        let mail = cli.config.mail_settings();
        assert_eq!(mail.mode(), "smtp");
        assert_eq!(mail.from, "Badges <badges@example.edu>");
        assert!(!format!("{:?}", cli.config).contains("hunter22"));
        assert!(!format!("{mail:?}").contains("hunter22"));
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("BADGEFOLIO_SMTP_URL"), "{help}");
        assert!(help.contains("BADGEFOLIO_MAIL_FROM"), "{help}");
    }

    #[test]
    fn a_postgres_url_is_used_as_given() {
        let cli = Cli::try_parse_from([
            "badgefolio",
            "--database-url",
            "postgres://u@localhost/db",
            "--public-url",
            "https://badges.example.edu/",
            "migrate",
        ])
        .expect("parse");
        assert_eq!(cli.config.database_url(), "postgres://u@localhost/db");
        assert_eq!(cli.config.public_url(), "https://badges.example.edu");
        assert!(matches!(cli.command, Some(Command::Migrate)));
    }
}
