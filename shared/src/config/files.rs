//! Where uploaded PDFs live: in Postgres (`document_files.content`) or in an S3-compatible bucket.
use secrecy::SecretString;

use super::env::{ConfigError, Env};

/// Where new uploads are written. Reading follows each file's own row, so documents stored before
/// a switch stay readable as long as the S3 settings remain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStoreKind {
    Postgres,
    S3,
}

#[derive(Debug, Clone)]
pub struct FilesConfig {
    pub store: FileStoreKind,
    /// `None` when `S3_BUCKET` is unset: then no file can be in S3.
    pub s3: Option<S3Config>,
}

#[derive(Debug, Clone)]
pub struct S3Config {
    /// e.g. `http://127.0.0.1:8333` for SeaweedFS; `None` means AWS itself.
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    /// Both or neither; neither sends unsigned requests (a local SeaweedFS without identities).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    /// One request to the bucket, connection included; past it the call fails instead of hanging.
    pub timeout: std::time::Duration,
}

impl FilesConfig {
    pub fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let store = match env.get("FILE_STORE").as_deref() {
            None | Some("postgres") => FileStoreKind::Postgres,
            Some("s3") => FileStoreKind::S3,
            Some(other) => {
                return Err(ConfigError(format!(
                    "FILE_STORE={other:?} is not valid: use postgres or s3"
                )));
            }
        };
        let s3 = match env.get("S3_BUCKET") {
            None => None,
            Some(bucket) => {
                let endpoint = env.get("S3_ENDPOINT");
                if let Some(e) = &endpoint
                    && !(e.starts_with("http://") || e.starts_with("https://"))
                {
                    return Err(ConfigError(format!(
                        "S3_ENDPOINT={e:?} is not valid: it must start with http:// or https://"
                    )));
                }
                let access_key_id = env.get("S3_ACCESS_KEY_ID");
                let secret_access_key = env.secret("S3_SECRET_ACCESS_KEY");
                if access_key_id.is_some() != secret_access_key.is_some() {
                    return Err(ConfigError(
                        "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together".into(),
                    ));
                }
                Some(S3Config {
                    endpoint: endpoint.map(|e| e.trim_end_matches('/').to_string()),
                    bucket,
                    region: env.parse("S3_REGION", "us-east-1".to_string())?,
                    access_key_id,
                    secret_access_key,
                    timeout: std::time::Duration::from_millis(env.parse("S3_TIMEOUT_MS", 10_000)?),
                })
            }
        };
        if store == FileStoreKind::S3 && s3.is_none() {
            return Err(ConfigError(
                "FILE_STORE=s3 needs S3_BUCKET (and S3_ENDPOINT unless the bucket is on AWS)"
                    .into(),
            ));
        }
        Ok(Self { store, s3 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<FilesConfig, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FilesConfig::read(&Env::from_lookup(move |name: &str| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        }))
    }

    #[test]
    fn postgres_by_default_and_s3_needs_a_bucket() {
        let c = read(&[]).unwrap();
        assert_eq!(c.store, FileStoreKind::Postgres);
        assert!(c.s3.is_none());
        let e = read(&[("FILE_STORE", "s3")]).unwrap_err().to_string();
        assert!(e.contains("needs S3_BUCKET"), "{e}");
        let e = read(&[("FILE_STORE", "disk")]).unwrap_err().to_string();
        assert!(e.contains("use postgres or s3"), "{e}");
    }

    #[test]
    fn s3_settings_are_checked_and_the_secret_stays_hidden() {
        let c = read(&[
            ("FILE_STORE", "s3"),
            ("S3_BUCKET", "docs"),
            ("S3_ENDPOINT", "http://127.0.0.1:8333/"),
            ("S3_ACCESS_KEY_ID", "AKIA"),
            ("S3_SECRET_ACCESS_KEY", "hunter2"),
        ])
        .unwrap();
        let s3 = c.s3.unwrap();
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(s3.region, "us-east-1");
        assert!(!format!("{s3:?}").contains("hunter2"));
        let e = read(&[("S3_BUCKET", "docs"), ("S3_ACCESS_KEY_ID", "AKIA")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be set together"), "{e}");
        let e = read(&[("S3_BUCKET", "docs"), ("S3_ENDPOINT", "127.0.0.1:8333")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://"), "{e}");
    }
}
