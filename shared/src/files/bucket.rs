//! One S3-compatible bucket through `object_store`: bounded requests, unsigned when no
//! credentials are given, and "not found" told apart from every other failure.
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, PutPayload, RetryConfig};
use secrecy::ExposeSecret;

use super::FileError;
use crate::config::S3Config;

#[derive(Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    name: String,
}

impl Bucket {
    pub fn new(c: &S3Config) -> Result<Self, FileError> {
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&c.bucket)
            .with_region(&c.region)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(c.timeout)
                    .with_connect_timeout(c.timeout.min(Duration::from_secs(3))),
            )
            // A couple of quick retries for a dropped connection, all within one timeout.
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 2,
                retry_timeout: c.timeout,
            });
        if let Some(endpoint) = &c.endpoint {
            b = b
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        b = match (&c.access_key_id, &c.secret_access_key) {
            (Some(id), Some(secret)) => b
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose_secret()),
            // No identity: plain requests (SeaweedFS without identities), and no lookup of
            // instance credentials that would hang off AWS.
            _ => b.with_skip_signature(true),
        };
        let store = b.build().map_err(|e| FileError::Store {
            bucket: c.bucket.clone(),
            message: e.to_string(),
        })?;
        Ok(Self {
            store: Arc::new(store),
            name: c.bucket.clone(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh key per stored file: two documents never share an object, so deleting one never
    /// takes another's file.
    pub fn new_key() -> String {
        format!("documents/{}.pdf", ulid::Ulid::generate())
    }

    fn error(&self, key: &str, e: object_store::Error) -> FileError {
        match e {
            object_store::Error::NotFound { .. } => FileError::Missing {
                bucket: self.name.clone(),
                key: key.to_string(),
            },
            other => FileError::Store {
                bucket: self.name.clone(),
                message: other.to_string(),
            },
        }
    }

    #[tracing::instrument(skip_all, fields(key, bytes = bytes.len()))]
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| self.error(key, e))
    }

    #[tracing::instrument(skip_all, fields(key))]
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, FileError> {
        let got = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| self.error(key, e))?;
        let bytes = got.bytes().await.map_err(|e| self.error(key, e))?;
        Ok(bytes.to_vec())
    }

    pub async fn remove(&self, key: &str) -> Result<(), FileError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Removes an object nothing points at any more; a failure leaves it orphaned and says so.
    pub async fn remove_quietly(&self, key: &str) {
        if let Err(e) = self.remove(key).await {
            metrics::counter!("files_orphaned_total").increment(1);
            tracing::warn!(key, error = %e, "object left in the bucket without a document");
        }
    }
}
