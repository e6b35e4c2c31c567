//! A document's processing state (`documents.status`), its stage while processing
//! (`documents.stage`), and the edges the state machine allows. The only place their names are
//! spelled out; the SQL in `db::transitions` binds these values.
use std::fmt;

use serde::{Deserialize, Serialize};

/// `Display` as the stored name, and `FromStr` that names the valid values when it refuses one
/// (the API's 400 for `?status=`), for an enum with `ALL` and `as_str`.
macro_rules! text_names {
    ($ty:ty, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        format!(
                            "unknown {} {s:?}: use {}",
                            $what,
                            choices(&Self::ALL.map(Self::as_str))
                        )
                    })
            }
        }
    };
}

/// "a, b, c or d".
fn choices(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum DocumentStatus {
    Queued,
    Processing,
    Completed,
    Failed,
}

/// Every status change the system makes, each made by one function of `db::transitions`.
/// `Processing → Processing` is a new claim taking over an attempt whose worker went silent.
pub const EDGES: [(DocumentStatus, DocumentStatus); 8] = {
    use DocumentStatus::*;
    [
        (Queued, Processing),     // queued_or_stale_to_processing
        (Processing, Processing), // queued_or_stale_to_processing (takeover)
        (Queued, Failed),         // queued_to_failed (out of attempts)
        (Processing, Completed),  // processing_to_completed
        (Processing, Failed),     // processing_to_failed, stale_processing_to_queued_or_failed
        (Processing, Queued),     // processing_to_queued, stale_processing_to_queued_or_failed
        (Failed, Queued),         // failed_or_completed_to_queued (retry)
        (Completed, Queued),      // failed_or_completed_to_queued (re-run)
    ]
};

impl DocumentStatus {
    /// In the order a document goes through them; the console and `/metrics` list them so.
    pub const ALL: [Self; 4] = [
        Self::Queued,
        Self::Processing,
        Self::Completed,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    /// Whether the state machine allows going from `self` to `next`.
    pub fn can_go_to(self, next: Self) -> bool {
        EDGES.contains(&(self, next))
    }
}

text_names!(DocumentStatus, "status");

/// What a processing document is doing, for progress display and the reaper's stall rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Stage {
    /// Opening the PDF, before its first page arrives; every attempt starts here.
    #[default]
    Parsing,
    /// Reading pages through the extractor.
    Extracting,
    Embedding,
    /// Writing the results in one transaction.
    Storing,
}

impl Stage {
    pub const ALL: [Self; 4] = [
        Self::Parsing,
        Self::Extracting,
        Self::Embedding,
        Self::Storing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parsing => "parsing",
            Self::Extracting => "extracting",
            Self::Embedding => "embedding",
            Self::Storing => "storing",
        }
    }
}

text_names!(Stage, "stage");

#[cfg(test)]
mod tests {
    use super::DocumentStatus::{self, *};
    use super::Stage;

    /// Written out again on purpose: changing the state machine means changing both lists.
    fn expected(from: DocumentStatus, to: DocumentStatus) -> bool {
        matches!(
            (from, to),
            (Queued, Processing | Failed)
                | (Processing, Processing | Completed | Failed | Queued)
                | (Failed | Completed, Queued)
        )
    }

    #[test]
    fn every_pair_of_statuses_is_allowed_or_forbidden_as_designed() {
        let mut allowed = 0;
        for from in DocumentStatus::ALL {
            for to in DocumentStatus::ALL {
                assert_eq!(from.can_go_to(to), expected(from, to), "{from} → {to}");
                allowed += usize::from(from.can_go_to(to));
            }
        }
        assert_eq!(allowed, super::EDGES.len(), "EDGES lists an edge twice");
        // Finished documents only ever go back to the queue.
        assert!(!Completed.can_go_to(Failed) && !Failed.can_go_to(Completed));
        assert!(!Queued.can_go_to(Completed) && !Queued.can_go_to(Queued));
    }

    #[test]
    fn names_round_trip_through_text_and_json() {
        for s in DocumentStatus::ALL {
            assert_eq!(s.as_str().parse::<DocumentStatus>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(serde_json::to_value(Queued).unwrap(), "queued");
        assert_eq!(serde_json::to_value(Stage::Embedding).unwrap(), "embedding");
    }

    #[test]
    fn an_unknown_status_is_refused_with_the_valid_ones() {
        let err = "done".parse::<DocumentStatus>().unwrap_err();
        assert_eq!(
            err,
            "unknown status \"done\": use queued, processing, completed or failed"
        );
        assert!("Queued".parse::<DocumentStatus>().is_err());
        assert!("ocr".parse::<Stage>().is_err());
    }
}
