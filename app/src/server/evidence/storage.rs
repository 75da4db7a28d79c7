//! Where evidence files live: a small interface over the `object_store` crate.
//!
//! The server keeps them on the local filesystem under `<data dir>/evidence`
//! ([`EvidenceStore::local`]); tests may keep them in memory. (An S3-compatible bucket
//! would be one more constructor here; it is left out until the test script can start
//! such a server.) Uploads are written as multipart uploads: the bytes stream through
//! and nothing is visible under the key until [`Upload::finish`]; an aborted or dropped
//! upload leaves nothing behind.

use std::{ops::Range, sync::Arc};

use bytes::Bytes;
use object_store::{
    ObjectStore, WriteMultipart, local::LocalFileSystem, memory::InMemory, path::Path,
};

/// Uploads in flight per file (parts of 5 MiB each).
const MAX_PARTS_IN_FLIGHT: usize = 2;

/// The evidence store (cheap to clone).
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    inner: Arc<dyn ObjectStore>,
}

impl EvidenceStore {
    /// Files under `dir` (created if missing).
    ///
    /// # Errors
    /// When the directory cannot be created or opened.
    pub fn local(dir: &std::path::Path) -> Result<Self, object_store::Error> {
        std::fs::create_dir_all(dir).map_err(|e| object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(e),
        })?;
        let fs = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(fs),
        })
    }

    /// Files in memory (tests, and commands that never see an upload).
    pub fn in_memory() -> Self {
        Self {
            inner: Arc::new(InMemory::new()),
        }
    }

    fn path(key: &str) -> Result<Path, object_store::Error> {
        Path::parse(key).map_err(object_store::Error::from)
    }

    /// Starts writing a new object under `key`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn begin(&self, key: &str) -> Result<Upload, object_store::Error> {
        let path = Self::path(key)?;
        let upload = self.inner.put_multipart(&path).await?;
        Ok(Upload {
            writer: WriteMultipart::new(upload),
        })
    }

    /// The whole object.
    ///
    /// # Errors
    /// `NotFound` and other storage errors.
    pub async fn get(&self, key: &str) -> Result<Bytes, object_store::Error> {
        let path = Self::path(key)?;
        self.inner.get(&path).await?.bytes().await
    }

    /// The whole object as a stream of chunks (for serving it without holding it).
    ///
    /// # Errors
    /// `NotFound` and other storage errors.
    pub async fn stream(
        &self,
        key: &str,
    ) -> Result<
        futures_util::stream::BoxStream<'static, Result<Bytes, object_store::Error>>,
        object_store::Error,
    > {
        let path = Self::path(key)?;
        Ok(self.inner.get(&path).await?.into_stream())
    }

    /// A byte range of the object.
    ///
    /// # Errors
    /// `NotFound` and other storage errors.
    pub async fn get_range(
        &self,
        key: &str,
        range: Range<u64>,
    ) -> Result<Bytes, object_store::Error> {
        let path = Self::path(key)?;
        self.inner.get_range(&path, range).await
    }

    /// Deletes the object (nothing happens when it is not there).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        let path = Self::path(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every key in the store (for tests and checks; the store is not meant to be
    /// listed on a request path).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn keys(&self) -> Result<Vec<String>, object_store::Error> {
        use futures_util::StreamExt as _;
        let mut out = Vec::new();
        let mut list = self.inner.list(None);
        while let Some(meta) = list.next().await {
            out.push(meta?.location.to_string());
        }
        out.sort();
        Ok(out)
    }
}

/// An object being written.
pub struct Upload {
    writer: WriteMultipart,
}

impl Upload {
    /// Writes the next bytes (waiting while too many parts are in flight).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), object_store::Error> {
        self.writer.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await?;
        self.writer.write(bytes);
        Ok(())
    }

    /// Makes the object visible under its key.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn finish(self) -> Result<(), object_store::Error> {
        self.writer.finish().await.map(|_| ())
    }

    /// Throws the bytes written so far away.
    pub async fn abort(self) {
        if let Err(e) = self.writer.abort().await {
            tracing::warn!(error = %e, "aborting an evidence upload");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn aborted_uploads_leave_nothing_and_finished_ones_read_back() {
        let dir = std::env::temp_dir().join(format!("bf-evidence-{}", uuid::Uuid::new_v4()));
        let store = EvidenceStore::local(&dir).expect("store");
        let mut up = store.begin("u1/a").await.expect("begin");
        up.write(b"hello ").await.expect("write");
        up.abort().await;
        assert!(store.keys().await.expect("list").is_empty());
        let mut up = store.begin("u1/b").await.expect("begin");
        up.write(b"hello ").await.expect("write");
        up.write(b"world").await.expect("write");
        up.finish().await.expect("finish");
        assert_eq!(store.keys().await.expect("list"), ["u1/b"]);
        assert_eq!(&store.get("u1/b").await.expect("get")[..], b"hello world");
        assert_eq!(
            &store.get_range("u1/b", 6..11).await.expect("range")[..],
            b"world"
        );
        store.delete("u1/b").await.expect("delete");
        store.delete("u1/b").await.expect("deleting twice is fine");
        assert!(store.keys().await.expect("list").is_empty());
        // Nothing but the (empty) folders is left on disk.
        let files = walk(&dir);
        assert!(files.is_empty(), "{files:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
