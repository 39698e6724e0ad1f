//! How one page of a run is fetched: the asynchronous query flow (`POST …/data/query`, then
//! `GET …/data-queries/{token}` until done), or the synchronous `POST …/data` when the API has
//! no query flow (a 404, remembered per API base URL so it is tried once) or when asked to.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use servicetitan_core::records::Records;
use servicetitan_core::Error;

use super::cancel::CancelOnDrop;
use crate::types::{HeaderField, ReportDataQueryResponse, ReportDataRequest, ReportDataResponse};
use crate::Api;

/// The spec's largest `pageSize` for report data.
pub const MAX_PAGE_SIZE: u32 = 25_000;
/// The API's `pageSize` when none is sent.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// How a run waits for an asynchronous query: polls start `first_poll` apart and grow by half
/// up to `max_poll`; after `deadline` (from the query's start) the query is cancelled and the
/// run fails. Defaults: 2 s, 10 s, 15 minutes (public clients poll every 2–5 s for 3–15 min).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryOptions {
    /// The wait before the first poll.
    pub first_poll: Duration,
    /// The longest wait between polls.
    pub max_poll: Duration,
    /// How long a query may run before it is cancelled.
    pub deadline: Duration,
    /// Use the synchronous `…/data` even where the query flow exists.
    pub synchronous: bool,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            first_poll: Duration::from_secs(2),
            max_poll: Duration::from_secs(10),
            deadline: Duration::from_secs(15 * 60),
            synchronous: false,
        }
    }
}

/// One page's answer, whichever flow and key casing it came from.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub page: Option<i64>,
    pub has_more: bool,
    pub total_count: Option<i64>,
    pub fields: Vec<HeaderField>,
    pub data: Vec<Vec<Value>>,
}

impl TryFrom<ReportDataQueryResponse> for Answer {
    type Error = Error;

    /// A row that is not an array fails the page rather than being skipped.
    fn try_from(r: ReportDataQueryResponse) -> Result<Self, Error> {
        Ok(Answer {
            page: r.page,
            has_more: r.has_more.unwrap_or(false),
            total_count: r.total_count,
            fields: r.fields.unwrap_or_default(),
            data: rows(r.data)?,
        })
    }
}

impl TryFrom<ReportDataResponse> for Answer {
    type Error = Error;

    /// A row that is not an array fails the page rather than being skipped.
    fn try_from(r: ReportDataResponse) -> Result<Self, Error> {
        Ok(Answer {
            page: r.page,
            has_more: r.has_more.unwrap_or(false),
            total_count: r.total_count,
            fields: r.fields,
            data: rows(r.data)?,
        })
    }
}

/// The rows of a page, or the first row that could not be read as the error: both flows treat a
/// bad row alike, and a report read with a row silently missing would give wrong totals.
fn rows(data: Records<Vec<Value>>) -> Result<Vec<Vec<Value>>, Error> {
    let (rows, failures) = data.into_parts();
    match failures.into_iter().next() {
        Some(failure) => Err(Error::Record(Box::new(failure))),
        None => Ok(rows),
    }
}

/// The base URLs whose API answered 404 to `/data/query` but served `/data`.
static WITHOUT_QUERY_FLOW: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn lacks_query_flow(api: &Api) -> bool {
    let known = WITHOUT_QUERY_FLOW.lock().unwrap_or_else(|e| e.into_inner());
    known.as_ref().is_some_and(|s| s.contains(api.base_url()))
}

fn remember_no_query_flow(api: &Api) {
    let mut known = WITHOUT_QUERY_FLOW.lock().unwrap_or_else(|e| e.into_inner());
    known
        .get_or_insert_with(HashSet::new)
        .insert(api.base_url().to_owned());
}

/// What every page of a run shares.
#[derive(Clone, Debug)]
pub(crate) struct Fetch {
    pub api: Api,
    pub category: String,
    pub report_id: i64,
    pub body: ReportDataRequest,
    pub page_size: Option<NonZeroU32>,
    pub options: QueryOptions,
}

impl Fetch {
    /// Page `page` (from 1) of the run.
    pub async fn page(&self, page: i32) -> Result<Answer, Error> {
        if self.options.synchronous || lacks_query_flow(&self.api) {
            return self.synchronous(page).await;
        }
        match self.query(page).await {
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {
                // Either the API has no query flow, or the report does not exist: `/data` tells.
                let answer = self.synchronous(page).await?;
                tracing::debug!(
                    target: "servicetitan::reporting",
                    base_url = self.api.base_url(),
                    "report data query answered 404; using the synchronous …/data from now on"
                );
                remember_no_query_flow(&self.api);
                Ok(answer)
            }
            other => other,
        }
    }

    async fn synchronous(&self, page: i32) -> Result<Answer, Error> {
        let mut request = self
            .api
            .report_category_reports_get_data(&self.category, self.report_id, self.body.clone())
            .page(page);
        if let Some(size) = self.page_size {
            request = request.page_size(size);
        }
        request.send().await?.into_inner().try_into()
    }

    async fn query(&self, page: i32) -> Result<Answer, Error> {
        let started = tokio::time::Instant::now();
        let mut request = self
            .api
            .report_category_reports_query_data(&self.category, self.report_id, self.body.clone())
            .page(page);
        if let Some(size) = self.page_size {
            request = request.page_size(size);
        }
        let response = request.send().await?;
        let pending = response.status().as_u16() == 202;
        let answer = response.into_inner();
        if !pending {
            return answer.try_into();
        }
        let token = answer.token.ok_or_else(|| Error::Decode {
            message: format!(
                "report {} data query: a 202 answer without a token to poll",
                self.report_id
            ),
            excerpt: String::new(),
            status: None,
        })?;
        // From here on, leaving early (an error, the deadline, the stream dropped) cancels it.
        let mut cancel = CancelOnDrop::new(self.api.clone(), token.clone());
        let deadline = started + self.options.deadline;
        let mut wait = self.options.first_poll;
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                cancel.now().await;
                return Err(Error::Other(format!(
                    "report {} ({}): the data query {token} did not finish within {} s; it was \
                     cancelled. Raise the deadline (`ReportRun::deadline`, `st report run \
                     --deadline`) or narrow the parameters",
                    self.report_id,
                    self.category,
                    self.options.deadline.as_secs_f64()
                )));
            }
            tokio::time::sleep(wait.min(deadline - now)).await;
            if tokio::time::Instant::now() >= deadline {
                continue;
            }
            let response = self.api.data_queries_get(&token).send().await?;
            if response.status().as_u16() != 202 {
                cancel.disarm();
                return response.into_inner().try_into();
            }
            wait = (wait + wait / 2).min(self.options.max_poll);
        }
    }
}
