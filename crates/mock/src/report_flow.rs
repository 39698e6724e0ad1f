//! How the mock serves report data: the live API's asynchronous query flow
//! (`POST …/data/query` → 202 + token → `GET …/data-queries/{token}` → 200, `DELETE` to cancel),
//! its PascalCase keys and its ignored paging, or the spec's shape. The commands' flags are this
//! struct, flattened into [`crate::MockArgs`], so each knob is declared once.

use std::collections::HashMap;
use std::sync::Mutex;

/// When a finished query's answer says `HasMore: true` although it sent every row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum HasMore {
    /// Only when rows really remain (paging honoured).
    #[default]
    Honest,
    /// On the first page (seen live: page 2 then repeats the rows).
    First,
    /// On every page (a server that never says it is done).
    Always,
}

/// Report-data knobs.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct ReportFlow {
    /// Polls of `GET data-queries/{token}` answered 202 before the data (0: `/data/query`
    /// answers 200 with the data at once).
    #[arg(
        long = "report-polls",
        env = "SERVICETITAN_MOCK_REPORT_POLLS",
        default_value_t = 2
    )]
    pub polls: u32,
    /// Honour `page`/`pageSize` on the query flow (the live API sends every row at once).
    #[arg(
        long = "report-honour-paging",
        env = "SERVICETITAN_MOCK_REPORT_HONOUR_PAGING"
    )]
    pub honour_paging: bool,
    /// When a query answer says `HasMore: true`.
    #[arg(long = "report-has-more", env = "SERVICETITAN_MOCK_REPORT_HAS_MORE", value_enum, default_value_t = HasMore::Honest)]
    pub has_more: HasMore,
    /// Answer the query flow with the spec's camelCase keys instead of the live PascalCase.
    #[arg(
        long = "report-camel-case",
        env = "SERVICETITAN_MOCK_REPORT_CAMEL_CASE"
    )]
    pub camel_case: bool,
    /// Running queries per tenant before `/data/query` answers 429.
    #[arg(
        long = "report-max-running",
        env = "SERVICETITAN_MOCK_REPORT_MAX_RUNNING",
        default_value_t = 5
    )]
    pub max_running: u32,
    /// Answer the synchronous `…/reports/{id}/data` with 404 (an API that removed it).
    #[arg(long = "report-no-sync", env = "SERVICETITAN_MOCK_REPORT_NO_SYNC")]
    pub no_sync: bool,
    /// Answer `/data/query` and `/data-queries` with 404 (an API without the query flow).
    #[arg(long = "report-no-query", env = "SERVICETITAN_MOCK_REPORT_NO_QUERY")]
    pub no_query: bool,
}

impl Default for ReportFlow {
    fn default() -> Self {
        ReportFlow {
            polls: 2,
            honour_paging: false,
            has_more: HasMore::Honest,
            camel_case: false,
            max_running: 5,
            no_sync: false,
            no_query: false,
        }
    }
}

/// One query the mock is running (or has finished and not yet delivered).
#[derive(Clone, Debug)]
pub struct Query {
    /// The tenant that started it.
    pub tenant: i64,
    /// 202 answers still to give before the data.
    pub polls_left: u32,
    /// Every row of the result (after `From`/`To`).
    pub rows: Vec<serde_json::Value>,
    /// `page` as asked.
    pub page: u64,
    /// `pageSize` as asked (or the default).
    pub page_size: u64,
}

/// What a poll finds.
#[derive(Debug)]
pub enum Poll {
    /// Still running.
    Running,
    /// Finished: its data.
    Done(Query),
    /// No such query for the tenant (never started, delivered, cancelled, another tenant's).
    Unknown,
}

/// The queries of one server, by token.
#[derive(Debug, Default)]
pub struct Queries {
    inner: Mutex<(HashMap<String, Query>, u64)>,
}

impl Queries {
    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, Query>, u64)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts `query` unless its tenant already runs `max` queries; the token, or `None`.
    pub fn start(&self, query: Query, max: u32, seed: u64) -> Option<String> {
        let mut inner = self.lock();
        let running = inner
            .0
            .values()
            .filter(|q| q.tenant == query.tenant)
            .count();
        if running >= max as usize {
            return None;
        }
        inner.1 += 1;
        let n = inner.1;
        let token = format!(
            "{:016x}{:016x}",
            crate::fake::mix(seed, n),
            crate::fake::mix(n, 0x7E)
        );
        inner.0.insert(token.clone(), query);
        Some(token)
    }

    /// A poll: [`Poll::Running`] uses one of the query's polls; [`Poll::Done`] delivers the
    /// query and forgets it.
    pub fn poll(&self, token: &str, tenant: i64) -> Poll {
        let mut inner = self.lock();
        let Some(query) = inner.0.get_mut(token).filter(|q| q.tenant == tenant) else {
            return Poll::Unknown;
        };
        if query.polls_left > 0 {
            query.polls_left -= 1;
            return Poll::Running;
        }
        inner.0.remove(token).map_or(Poll::Unknown, Poll::Done)
    }

    /// Cancels a query (a no-op for an unknown one, as the API answers 204 regardless).
    pub fn cancel(&self, token: &str, tenant: i64) {
        let mut inner = self.lock();
        if inner.0.get(token).is_some_and(|q| q.tenant == tenant) {
            inner.0.remove(token);
        }
    }

    /// Queries running now.
    pub fn running(&self) -> usize {
        self.lock().0.len()
    }
}
