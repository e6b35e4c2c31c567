//! Chat over a fund's data: route the question, answer it from SQL, the metrics engine or
//! hybrid search, optionally let an LLM rephrase it, and keep the conversation.
pub mod answer;
pub mod embed_batch;
pub mod intent;
pub mod llm;
pub mod lp;
pub mod ranking;
pub mod retrieve;
pub mod sentences;

use std::sync::Arc;
use std::time::Instant;

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::db::transactions::Kind;
use shared::db::{conversations, provenance};
use sqlx::PgPool;

use super::metrics::{MetricsBody, MetricsService};
use crate::error::{ApiError, Result};
use answer::{Grounded, Source, page_source};
use intent::{Intent, MetricAsk, Subject};
use retrieve::{FundChoice, FundRow};

/// Longer questions are pasted documents, not questions.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Citations per answer; more only bury the useful ones.
const MAX_SOURCES: usize = 6;

#[derive(Debug, Deserialize)]
pub struct QueryRequest {
    pub query: String,
    pub fund_id: Option<i64>,
    pub conversation_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryResponse {
    pub answer: String,
    pub intent: &'static str,
    pub sources: Vec<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<Value>>,
    pub conversation_id: i64,
    pub fund_id: Option<i64>,
    /// True when an LLM wrote `answer` (from the grounded material, with checked numbers).
    pub llm: bool,
    pub processing_time_ms: f64,
}

/// Chat's dependencies: the pool, the metrics service (and its cache), the query embedder
/// (loaded once per process) and the optional LLM client. Cheap to clone.
#[derive(Clone)]
pub struct ChatService {
    db: PgPool,
    metrics: MetricsService,
    models: Arc<Models>,
}

struct Models {
    embedder: Option<Arc<embed_batch::QueryEmbedder>>,
    /// Why there is no embedder, for the note in full-text-only answers.
    embedder_missing: Option<String>,
    llm: Option<llm::Llm>,
}

impl ChatService {
    pub fn new(db: PgPool, metrics: MetricsService, config: &shared::config::Config) -> Self {
        let (embedder, embedder_missing) = match &config.embedding {
            None => (
                None,
                Some("no embedding model is configured (EMBEDDING_MODEL_DIR), so passages were found by full-text search only".to_string()),
            ),
            Some(embedding) => match shared::embed::shared(embedding) {
                Ok(model) => (Some(Arc::new(embed_batch::QueryEmbedder::new(model))), None),
                Err(e) => {
                    tracing::warn!(error = %e, "chat: embedding model not loaded; full-text search only");
                    (
                        None,
                        Some("the embedding model could not be loaded, so passages were found by full-text search only".to_string()),
                    )
                }
            },
        };
        Self {
            db,
            metrics,
            models: Arc::new(Models {
                embedder,
                embedder_missing,
                llm: config.llm.clone().map(llm::Llm::new),
            }),
        }
    }

    /// Answers one question end to end and records the turn.
    #[tracing::instrument(skip_all, fields(fund_id = ?req.fund_id, conversation_id = ?req.conversation_id))]
    pub async fn ask(&self, req: QueryRequest) -> Result<QueryResponse> {
        ask(self, req).await
    }

    /// A new conversation, optionally about one fund (which must exist).
    #[tracing::instrument(skip_all, fields(fund_id = ?fund_id))]
    pub async fn start_conversation(
        &self,
        fund_id: Option<i64>,
    ) -> Result<conversations::Conversation> {
        if let Some(id) = fund_id
            && !shared::db::funds::exists(&self.db, id).await?
        {
            return Err(ApiError::not_found("Fund", id));
        }
        Ok(conversations::create(&self.db, fund_id).await?)
    }

    /// The conversation with its messages, oldest first.
    #[tracing::instrument(skip_all, fields(conversation_id = id))]
    pub async fn conversation(
        &self,
        id: i64,
    ) -> Result<(conversations::Conversation, Vec<conversations::Message>)> {
        let c = conversations::get(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Conversation", id))?;
        Ok((c, conversations::messages(&self.db, id).await?))
    }

    /// The most recently active conversations, optionally of one fund.
    pub async fn conversations(
        &self,
        fund_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<conversations::Conversation>> {
        Ok(conversations::list(&self.db, fund_id, limit).await?)
    }
}

async fn ask(state: &ChatService, req: QueryRequest) -> Result<QueryResponse> {
    let started = Instant::now();
    let query = req.query.trim();
    if query.is_empty() {
        return Err(ApiError::BadRequest(
            "Ask a question: `query` is empty.".into(),
        ));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!(
            "The question is longer than {MAX_QUERY_CHARS} characters; ask something shorter."
        )));
    }
    let context = match req.conversation_id {
        Some(id) => Some(
            conversations::context(&state.db, id)
                .await?
                .ok_or_else(|| ApiError::not_found("Conversation", id))?,
        ),
        None => None,
    };
    let previous: Option<Subject> = context
        .as_ref()
        .and_then(|c| c.last_payload.as_ref())
        .and_then(|p| serde_json::from_value(p["subject"].clone()).ok());
    let today = chrono::Utc::now().date_naive();
    let all = retrieve::funds(&state.db).await?;
    // The fund's own name is not part of the question ("Level Structured Capital II" asks
    // nothing about capital calls).
    let unnamed = retrieve::without_fund_name(query, &all);
    let tables = shared::db::portfolio::any(&state.db).await?;
    let subject = intent::route_with(&unnamed, previous.as_ref(), today.year(), tables);
    let choice = retrieve::resolve(
        &all,
        req.fund_id,
        query,
        context.as_ref().and_then(|c| c.fund_id),
    )?;
    let (grounded, fund_id) = ground(state, query, &subject, &choice, &all, today).await?;

    let mut text = grounded.text.clone();
    let mut used_llm = false;
    if let Some(llm) = &state.models.llm {
        match llm.rewrite(query, &grounded).await {
            Ok(prose) => {
                text = prose;
                used_llm = true;
            }
            Err(why) => {
                tracing::warn!(reason = %why, "chat: LLM answer not used; grounded answer sent")
            }
        }
    }

    let conversation_id = match req.conversation_id {
        Some(id) => id,
        None => conversations::create(&state.db, fund_id).await?.id,
    };
    let payload = json!({
        "subject": subject,
        "sources": grounded.sources,
        "metrics": grounded.metrics,
        "rows": grounded.rows,
        "fund_id": fund_id,
    });
    conversations::record_turn(
        &state.db,
        conversation_id,
        fund_id,
        query,
        &text,
        subject.intent.as_str(),
        &payload,
    )
    .await?;
    Ok(QueryResponse {
        answer: text,
        intent: subject.intent.as_str(),
        sources: grounded.sources,
        metrics: grounded.metrics,
        rows: grounded.rows,
        conversation_id,
        fund_id,
        llm: used_llm,
        processing_time_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
    })
}

fn pick_a_fund(funds: &[FundRow]) -> Grounded {
    let names: Vec<&str> = funds.iter().map(|f| f.name.as_str()).collect();
    Grounded::say(format!(
        "Several funds have data ({}). Name one in the question or choose it in the fund picker, and ask again.",
        names.join(", ")
    ))
}

pub(crate) const NO_FUNDS: &str = "No fund has any processed report yet, so there is nothing to answer from. Upload a report first.";

/// The grounded answer and the fund it is about.
async fn ground(
    state: &ChatService,
    query: &str,
    subject: &Subject,
    choice: &FundChoice,
    all: &[FundRow],
    today: chrono::NaiveDate,
) -> Result<(Grounded, Option<i64>)> {
    let fund = match choice {
        FundChoice::One(f) => Some(f),
        _ => None,
    };
    let named = retrieve::named_in(query, all).is_some();
    if subject.lp.is_some() {
        let ask = lp::Ask {
            chat: state,
            query,
            subject,
            choice,
            all,
            named,
            today,
        };
        if let Some(answered) = lp::answer(&ask).await? {
            return Ok(answered);
        }
        // Nothing stored answers it: the documents' text may.
        let d = definition(state, query, subject, fund.map(|f| f.id)).await?;
        return Ok((d, fund.map(|f| f.id)));
    }
    let numeric = matches!(
        subject.intent,
        Intent::Calculation | Intent::Retrieval | Intent::Mixed
    );
    if numeric && subject.across_funds && !named && !subject.metrics.is_empty() {
        return Ok((ranking::compare(state, subject, all).await?, None));
    }
    if let (true, true, false, Some(kind)) = (
        subject.intent == Intent::Retrieval,
        subject.across_funds,
        named,
        subject.kind,
    ) {
        return Ok((ranking::flows(state, subject, kind).await?, None));
    }
    let g = match subject.intent {
        Intent::Definition => definition(state, query, subject, fund.map(|f| f.id)).await?,
        _ => {
            let Some(fund) = fund else {
                return Ok((
                    match choice {
                        FundChoice::Ambiguous(v) => pick_a_fund(v),
                        _ => Grounded::say(NO_FUNDS),
                    },
                    None,
                ));
            };
            if !fund.has_data {
                Grounded::say(format!(
                    "{} has no processed reports yet, so there are no figures or transactions to answer from. Upload its reports first.",
                    fund.name
                ))
            } else {
                let mut g = Grounded::default();
                let mut first = true;
                if !subject.metrics.is_empty() && subject.intent != Intent::Retrieval {
                    g = calculation(state, subject, fund).await?;
                    if let Some(stated) =
                        stated_balances(state, subject, fund, subject.year).await?
                    {
                        g = g.join(stated);
                    }
                    first = false;
                }
                if let (Some(kind), true) = (
                    subject.kind,
                    matches!(subject.intent, Intent::Retrieval | Intent::Mixed),
                ) {
                    let r = retrieval(state, subject, fund, kind).await?;
                    g = if first { r } else { g.join(r) };
                    first = false;
                }
                let wants_text = subject.intent == Intent::Mixed && subject.explain;
                if first || wants_text {
                    let d = definition(state, query, subject, Some(fund.id)).await?;
                    g = if first { d } else { g.join(d) };
                }
                g
            }
        }
    };
    Ok((g, fund.map(|f| f.id)))
}

/// The LP balances a fund's notices or statements state beside a computed metric, cited whether
/// they agree with it or not (a fund known only from notices has few stored cash flows).
async fn stated_balances(
    state: &ChatService,
    subject: &Subject,
    fund: &FundRow,
    year: Option<i32>,
) -> Result<Option<Grounded>> {
    let snap = state
        .metrics
        .snapshot(fund.id, answer::year_end(year))
        .await?;
    let m = &snap.metrics;
    let mut pairs = Vec::new();
    for ask in &subject.metrics {
        match ask {
            MetricAsk::Pic | MetricAsk::NetPic | MetricAsk::TotalCalled => {
                pairs.push(("contributed_to_date", Some(m.pic)))
            }
            MetricAsk::TotalDistributed => {
                pairs.push(("distributed_to_date", Some(m.total_distributions)))
            }
            MetricAsk::Nav => pairs.push(("nav", m.nav)),
            _ => {}
        }
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let keys: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    lp::position::stated_alongside(&state.db, fund, &keys, &pairs).await
}

async fn calculation(state: &ChatService, subject: &Subject, fund: &FundRow) -> Result<Grounded> {
    let snap = state
        .metrics
        .snapshot(fund.id, answer::year_end(subject.year))
        .await?;
    let metrics_json = serde_json::to_value(MetricsBody::from(&*snap))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let kinds = answer::kinds_behind(&subject.metrics);
    let mut pages = provenance::transaction_pages(&state.db, fund.id, &kinds, None).await?;
    let figure_keys: Vec<&str> = subject
        .metrics
        .iter()
        .flat_map(|m| match m {
            MetricAsk::Nav | MetricAsk::Tvpi | MetricAsk::Rvpi | MetricAsk::Irr => &["nav"][..],
            _ => &[][..],
        })
        .copied()
        .collect();
    let mut sources: Vec<Source> = Vec::new();
    if !figure_keys.is_empty() {
        for p in provenance::figure_pages(&state.db, fund.id, &figure_keys).await? {
            sources.push(page_source(&p, "Figures stated in the report"));
        }
    }
    pages.truncate(MAX_SOURCES.saturating_sub(sources.len()));
    sources.extend(
        pages
            .iter()
            .map(|p| page_source(p, "Transactions behind the figures")),
    );
    Ok(answer::calculation(
        &fund.name,
        &subject.metrics,
        &snap.metrics,
        &snap.reconciliation.discrepancies,
        metrics_json,
        sources,
    ))
}

async fn retrieval(
    state: &ChatService,
    subject: &Subject,
    fund: &FundRow,
    kind: Kind,
) -> Result<Grounded> {
    let mut rows = retrieve::transactions(&state.db, fund.id, Some(kind), subject.year).await?;
    if subject.recallable_only {
        rows.retain(|t| t.is_recallable == Some(true));
    }
    let mut pairs: Vec<(i64, i32)> = rows.iter().map(|t| (t.document_id, t.page)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut pages = if pairs.is_empty() {
        Vec::new()
    } else {
        provenance::transaction_pages(&state.db, fund.id, &[kind.as_str()], Some(&pairs)).await?
    };
    pages.truncate(MAX_SOURCES);
    let sources = pages
        .iter()
        .map(|p| page_source(p, "Transactions listed in the report"))
        .collect();
    Ok(answer::retrieval(&fund.name, subject, kind, &rows, sources))
}

async fn definition(
    state: &ChatService,
    query: &str,
    subject: &Subject,
    fund_id: Option<i64>,
) -> Result<Grounded> {
    let (embedding, note) = match &state.models.embedder {
        Some(e) => match e.embed(query).await {
            Ok(v) => (Some(v), None),
            Err(why) => (
                None,
                Some(format!(
                    "{why}; passages were found by full-text search only"
                )),
            ),
        },
        None => (None, state.models.embedder_missing.clone()),
    };
    let hits = retrieve::passages(
        &state.db,
        fund_id,
        query,
        embedding.as_deref().map(Vec::as_slice),
        5,
    )
    .await?;
    let sem = match (&state.models.embedder, &embedding) {
        (Some(e), Some(q)) => sentences::score(e, q, &hits).await,
        _ => None,
    };
    Ok(answer::definition(
        query,
        subject,
        &hits,
        sem.as_ref(),
        note.as_deref(),
    ))
}
