//! Issuer secret keys are sealed at rest with a key-encryption key (KEK): XChaCha20-
//! Poly1305 with a random nonce, the public key as associated data (a sealed secret
//! copied onto another key's row does not open).
//!
//! The KEK comes from `BADGEFOLIO_SECRET_KEY` (base64) or the file
//! `BADGEFOLIO_SECRET_KEY_FILE` (default `<data dir>/secret.key`, created with mode 0600
//! on first start). Several servers on one database share the same KEK. Lose it and
//! the stored signing keys cannot be opened: back it up with the database.

use std::path::Path;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use rand::RngCore as _;

/// Prefix of a sealed secret (version 1).
const SEALED_PREFIX: &str = "sealed-v1:";

/// Why a KEK or a sealed secret could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("reading or creating the secret key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored issuer key does not open with this secret key")]
    WrongKey,
    #[error("a stored issuer key is not in a known format")]
    BadFormat,
}

/// The key-encryption key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct KeyEncryptionKey([u8; 32]);

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey([redacted])")
    }
}

impl KeyEncryptionKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    /// From base64 text (surrounding whitespace ignored).
    ///
    /// # Errors
    /// `BadKey` unless it is 32 bytes of base64.
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        bytes.try_into().map(Self).map_err(|_| SecretError::BadKey)
    }

    /// As base64 text.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Reads the key file.
    ///
    /// # Errors
    /// When the file cannot be read (`File` with `NotFound` when it does not exist) or
    /// holds no valid key.
    pub fn load(path: &Path) -> Result<Self, SecretError> {
        let text = std::fs::read_to_string(path).map_err(|source| SecretError::File {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_base64(&text)
    }

    /// Reads the key file, creating it (mode 0600, a fresh random key) when it does not
    /// exist. The key is written to a private temporary file that is then linked into
    /// place, so a process starting at the same moment reads a whole key or none, and
    /// two processes agree on one key.
    ///
    /// # Errors
    /// When the file cannot be read or created, or holds no valid key.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretError> {
        let file_err = |source| SecretError::File {
            path: path.display().to_string(),
            source,
        };
        match Self::load(path) {
            Err(SecretError::File { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound => {}
            other => return other,
        }
        let key = Self::generate();
        let temp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&temp).and_then(|mut file| {
            use std::io::Write as _;
            file.write_all(format!("{}\n", key.to_base64()).as_bytes())?;
            file.sync_all()
        });
        let linked = written.and_then(|()| std::fs::hard_link(&temp, path));
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => Ok(key),
            // Someone else created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load(path),
            Err(e) => Err(file_err(e)),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals a secret, bound to `context` (the key's public half).
    pub fn seal(&self, secret: &str, context: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            // Encryption only fails for inputs of gigabytes.
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(out))
    }

    /// Opens a sealed secret.
    ///
    /// # Errors
    /// `WrongKey` when this KEK (or this context) did not seal it; `BadFormat` for text
    /// that is not a sealed secret.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SecretError> {
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SecretError::BadFormat)?;
        let bytes = STANDARD.decode(body).map_err(|_| SecretError::BadFormat)?;
        if bytes.len() < 24 + 16 {
            return Err(SecretError::BadFormat);
        }
        let (nonce, ct) = bytes.split_at(24);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretError::BadFormat)
    }
}

/// Whether stored text is sealed (earlier versions stored keys in plain text).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_refuse_the_wrong_key_or_context() {
        let kek = KeyEncryptionKey::generate();
        let sealed = kek.seal("zSecret", "z6MkPublic");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("zSecret"));
        assert_eq!(
            kek.open(&sealed, "z6MkPublic").ok().as_deref(),
            Some("zSecret")
        );
        assert!(matches!(
            KeyEncryptionKey::generate().open(&sealed, "z6MkPublic"),
            Err(SecretError::WrongKey)
        ));
        assert!(matches!(
            kek.open(&sealed, "z6MkOther"),
            Err(SecretError::WrongKey)
        ));
        assert!(matches!(
            kek.open("zPlain", "x"),
            Err(SecretError::BadFormat)
        ));
        assert!(!format!("{kek:?}").contains(&kek.to_base64()));
    }

    #[test]
    fn the_key_file_is_created_private_once_and_read_back() {
        let dir = tempfile_dir();
        let path = dir.join("secret.key");
        let first = KeyEncryptionKey::load_or_create(&path).expect("create");
        let again = KeyEncryptionKey::load_or_create(&path).expect("read");
        assert_eq!(first.to_base64(), again.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").expect("write");
        assert!(matches!(
            KeyEncryptionKey::load_or_create(&path),
            Err(SecretError::BadKey)
        ));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("bf-kek-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }
}
