//! The transitions module against a real Postgres: every SQL transition, tried from every status,
//! either takes one of the edges `DocumentStatus::can_go_to` allows or leaves the row untouched;
//! and the columns' CHECK constraints accept exactly the enums' values.
use std::time::Duration;

use shared::db::transitions::{self, Completion, StaleRules};
use shared::domain::DocumentStatus::{self, Completed, Failed, Processing, Queued};
use shared::domain::Stage;
use sqlx::PgPool;

const MAX_ATTEMPTS: i32 = 3;
const WORKER: &str = "w1";

#[derive(Debug, Clone, Copy)]
enum Transition {
    QueuedOrStaleToProcessing,
    QueuedToFailed,
    ProcessingHeartbeat,
    ProcessingToCompleted,
    ProcessingToFailed,
    ProcessingToQueued,
    FailedOrCompletedToQueued,
    StaleProcessingToQueuedOrFailed,
}

impl Transition {
    const ALL: [Self; 8] = [
        Self::QueuedOrStaleToProcessing,
        Self::QueuedToFailed,
        Self::ProcessingHeartbeat,
        Self::ProcessingToCompleted,
        Self::ProcessingToFailed,
        Self::ProcessingToQueued,
        Self::FailedOrCompletedToQueued,
        Self::StaleProcessingToQueuedOrFailed,
    ];

    /// The statuses it starts from, and those it may end in.
    fn edge(self) -> (&'static [DocumentStatus], &'static [DocumentStatus]) {
        match self {
            Self::QueuedOrStaleToProcessing => (&[Queued, Processing], &[Processing]),
            Self::QueuedToFailed => (&[Queued], &[Failed]),
            Self::ProcessingHeartbeat => (&[Processing], &[Processing]),
            Self::ProcessingToCompleted => (&[Processing], &[Completed]),
            Self::ProcessingToFailed => (&[Processing], &[Failed]),
            Self::ProcessingToQueued => (&[Processing], &[Queued]),
            Self::FailedOrCompletedToQueued => (&[Failed, Completed], &[Queued]),
            Self::StaleProcessingToQueuedOrFailed => (&[Processing], &[Queued, Failed]),
        }
    }

    /// Out of attempts only where that is the transition's own condition.
    fn attempts(self) -> i32 {
        match self {
            Self::QueuedToFailed => MAX_ATTEMPTS,
            _ => 1,
        }
    }

    /// Runs it on document `id`; true when it reports having changed the document.
    async fn apply(self, pool: &PgPool, id: i64) -> sqlx::Result<bool> {
        let stale = Duration::from_secs(60);
        match self {
            Self::QueuedOrStaleToProcessing => {
                Ok(
                    transitions::queued_or_stale_to_processing(pool, id, "w2", stale, MAX_ATTEMPTS)
                        .await?
                        .is_some(),
                )
            }
            Self::QueuedToFailed => transitions::queued_to_failed(pool, id, MAX_ATTEMPTS).await,
            Self::ProcessingHeartbeat => {
                transitions::processing_heartbeat(pool, id, WORKER, Stage::Embedding, 2, Some(4))
                    .await
            }
            Self::ProcessingToCompleted => {
                let mut conn = pool.acquire().await?;
                let done = Completion {
                    fund_id: None,
                    page_count: 4,
                    warnings: serde_json::json!([]),
                    document_type: "quarterly_report",
                    type_evidence: serde_json::json!([]),
                    investor: None,
                    ocr_pages: vec![],
                };
                transitions::processing_to_completed(&mut conn, id, &done).await
            }
            Self::ProcessingToFailed => {
                transitions::processing_to_failed(pool, id, WORKER, "Not a PDF.").await
            }
            Self::ProcessingToQueued => {
                let delay = Duration::from_secs(1);
                transitions::processing_to_queued(pool, id, WORKER, "Outage.", delay, true).await
            }
            Self::FailedOrCompletedToQueued => {
                transitions::failed_or_completed_to_queued(pool, id).await
            }
            Self::StaleProcessingToQueuedOrFailed => {
                let rules = StaleRules {
                    silent: stale,
                    stalled: stale * 20,
                    overdue: stale * 60,
                };
                let mut conn = pool.acquire().await?;
                let taken =
                    transitions::stale_processing_to_queued_or_failed(&mut conn, rules, 3).await?;
                Ok(taken.iter().any(|(taken, _)| *taken == id))
            }
        }
    }
}

/// A document in `status` held by `WORKER`, silent for an hour (so stale to the reaper).
async fn document(pool: &PgPool, status: DocumentStatus, attempts: i32) -> sqlx::Result<i64> {
    let stage = (status == Processing).then_some(Stage::Extracting);
    sqlx::query_scalar(
        "INSERT INTO documents (file_name, sha256, size_bytes, status, stage, attempts, worker_id,
                                heartbeat_at, progress_at, started_at)
         VALUES ('a.pdf', md5(random()::text), 1, $1, $2, $3, $4,
                 now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour')
         RETURNING id",
    )
    .bind(status)
    .bind(stage)
    .bind(attempts)
    .bind(WORKER)
    .fetch_one(pool)
    .await
}

/// The whole row, to tell "changed nothing" from "changed something".
async fn snapshot(pool: &PgPool, id: i64) -> sqlx::Result<serde_json::Value> {
    sqlx::query_scalar("SELECT to_jsonb(d) FROM documents d WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

async fn status(pool: &PgPool, id: i64) -> sqlx::Result<(DocumentStatus, Option<Stage>)> {
    sqlx::query_as("SELECT status, stage FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn every_transition_from_every_status_takes_an_allowed_edge_or_changes_nothing(
    pool: PgPool,
) -> sqlx::Result<()> {
    for t in Transition::ALL {
        let (sources, targets) = t.edge();
        for from in DocumentStatus::ALL {
            // The reaper looks at every document: keep only this one.
            sqlx::query("DELETE FROM documents").execute(&pool).await?;
            let id = document(&pool, from, t.attempts()).await?;
            let before = snapshot(&pool, id).await?;
            let moved = t.apply(&pool, id).await?;
            let (to, stage) = status(&pool, id).await?;
            if sources.contains(&from) {
                assert!(moved, "{t:?} from {from} should move the document");
                assert!(targets.contains(&to), "{t:?} from {from} went to {to}");
                assert!(
                    from.can_go_to(to),
                    "{t:?} took the forbidden edge {from} → {to}"
                );
                assert_eq!(
                    stage.is_some(),
                    to == Processing,
                    "{t:?}: stage {stage:?} in {to}"
                );
            } else {
                assert!(!moved, "{t:?} from {from} reported a change");
                assert_eq!(
                    snapshot(&pool, id).await?,
                    before,
                    "{t:?} from {from} changed the row"
                );
            }
        }
    }
    Ok(())
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn completing_a_queued_document_affects_no_row(pool: PgPool) -> sqlx::Result<()> {
    let id = document(&pool, Queued, 0).await?;
    assert!(!Transition::ProcessingToCompleted.apply(&pool, id).await?);
    assert_eq!(status(&pool, id).await?, (Queued, None));
    Ok(())
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn a_stale_document_out_of_attempts_is_failed_by_the_reaper(
    pool: PgPool,
) -> sqlx::Result<()> {
    let id = document(&pool, Processing, MAX_ATTEMPTS).await?;
    assert!(
        Transition::StaleProcessingToQueuedOrFailed
            .apply(&pool, id)
            .await?
    );
    assert_eq!(status(&pool, id).await?, (Failed, None));
    Ok(())
}

#[sqlx::test(migrator = "shared::MIGRATOR")]
async fn the_columns_accept_exactly_the_enum_values(pool: PgPool) -> sqlx::Result<()> {
    let id = document(&pool, Queued, 0).await?;
    let set = |column: &str| format!("UPDATE documents SET {column} = $2 WHERE id = $1");
    for s in DocumentStatus::ALL {
        sqlx::query(sqlx::AssertSqlSafe(set("status")))
            .bind(id)
            .bind(s)
            .execute(&pool)
            .await?;
        assert_eq!(status(&pool, id).await?.0, s);
    }
    for s in Stage::ALL {
        sqlx::query(sqlx::AssertSqlSafe(set("stage")))
            .bind(id)
            .bind(s)
            .execute(&pool)
            .await?;
        assert_eq!(status(&pool, id).await?.1, Some(s));
    }
    for (column, foreign) in [("status", "done"), ("stage", "ocr")] {
        let refused = sqlx::query(sqlx::AssertSqlSafe(set(column)))
            .bind(id)
            .bind(foreign)
            .execute(&pool)
            .await
            .unwrap_err();
        let code = refused.as_database_error().and_then(|e| e.code());
        assert_eq!(
            code.as_deref(),
            Some("23514"),
            "{column} = {foreign}: {refused}"
        );
    }
    Ok(())
}
