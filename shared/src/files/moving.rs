//! Moves stored files between Postgres and the bucket, one file at a time, resumable and safe
//! beside running workers: a row is switched only if nobody changed it meanwhile.
use sqlx::PgPool;

use super::{Bucket, FileError, FileStore};
use crate::config::FileStoreKind;
use crate::db::files::{self, StoredFile};

const BATCH: i64 = 100;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct MoveReport {
    pub moved: u64,
    pub bytes: u64,
    /// Rows deleted or moved by someone else while this ran.
    pub skipped: u64,
    /// Documents whose row names an object the bucket does not have: (document, key).
    pub missing: Vec<(i64, String)>,
}

/// Moves every file that is not in `to` there. Needs the S3 settings either way.
pub async fn move_all(
    store: &FileStore,
    pool: &PgPool,
    to: FileStoreKind,
) -> Result<MoveReport, FileError> {
    let bucket = store
        .bucket()
        .ok_or_else(|| FileError::NoBucket("(any)".into()))?;
    let mut report = MoveReport::default();
    let mut after = 0;
    loop {
        let ids = files::ids_stored(pool, to == FileStoreKind::Postgres, after, BATCH).await?;
        let Some(&last) = ids.last() else {
            return Ok(report);
        };
        for id in ids {
            match to {
                FileStoreKind::S3 => to_bucket(bucket, pool, id, &mut report).await?,
                FileStoreKind::Postgres => to_postgres(bucket, pool, id, &mut report).await?,
            }
        }
        after = last;
    }
}

async fn to_bucket(
    bucket: &Bucket,
    pool: &PgPool,
    id: i64,
    report: &mut MoveReport,
) -> Result<(), FileError> {
    let Some(StoredFile::Bytes(bytes)) = files::load(pool, id).await? else {
        report.skipped += 1;
        return Ok(());
    };
    let key = Bucket::new_key();
    let len = bytes.len() as u64;
    bucket.put(&key, bytes).await?;
    if files::bytes_to_object(pool, id, &key).await? {
        report.moved += 1;
        report.bytes += len;
    } else {
        bucket.remove_quietly(&key).await;
        report.skipped += 1;
    }
    Ok(())
}

async fn to_postgres(
    bucket: &Bucket,
    pool: &PgPool,
    id: i64,
    report: &mut MoveReport,
) -> Result<(), FileError> {
    let Some(StoredFile::Object(key)) = files::load(pool, id).await? else {
        report.skipped += 1;
        return Ok(());
    };
    let bytes = match bucket.get(&key).await {
        Ok(b) => b,
        Err(FileError::Missing { .. }) => {
            report.missing.push((id, key));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if files::object_to_bytes(pool, id, &key, &bytes).await? {
        // Only after the row holds the bytes: a worker reading the old key retries from the row.
        bucket.remove_quietly(&key).await;
        report.moved += 1;
        report.bytes += bytes.len() as u64;
    } else {
        report.skipped += 1;
    }
    Ok(())
}
