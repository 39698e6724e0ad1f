//! Running reports: list categories and reports, read a report's definition, check parameters
//! before calling, and read every page of the result as records or as your own type.
//!
//! The API describes each report (`GET …/report-category/{category}/reports/{id}`) with its
//! parameters (`dataType`, `isRequired`, `isArray`, accepted values) and fields, and answers a run
//! (`POST …/reports/{id}/data` with `{"parameters": [{"name", "value"}]}`) with rows as arrays
//! next to a separate `fields` list. This module:
//!
//! * checks the parameters against the definition before the run ([`ReportDefinition::validate`]):
//!   required ones present, names known (with a suggestion for a near miss), data types
//!   (`String`, `Number`, `Boolean`, `Date`, `Time`) and arrays right, and values formatted as
//!   the API expects (dates `YYYY-MM-DD`, times `HH:MM:SS`) — every problem in one
//!   [`ParamsError`], which converts into [`servicetitan_core::Error::ReportParameters`]
//!   with the problems kept as data;
//! * runs the report across all pages lazily ([`Api::run_report`]) through the asynchronous
//!   query flow: `POST …/data/query` answers 200 with the data, or 202 with a token that is
//!   polled (`GET …/data-queries/{token}`, every 2 s growing to 10 s) until the data comes or
//!   the deadline (15 minutes) passes; a query left behind — the deadline, an error, the stream
//!   dropped — is cancelled (`DELETE …/data-queries/{token}`). An API without the flow (404)
//!   is run through the synchronous `POST …/data` instead, found out once per base URL;
//! * delivers every row once, in order, when the server ignores `page`/`pageSize` (a page with
//!   more rows than asked for is the whole result; a page repeating the previous one ends the
//!   run, whatever `hasMore` says);
//! * keys each row by field name ([`Row`]), or reads it into a `serde` type
//!   ([`ReportRun::deserialize`], [`Api::run_report_as`]). Answers are read in the spec's
//!   camelCase and the live API's PascalCase alike.
//!
//! Every page of a run (`/data/query` or `/data`) counts against the client's per-report limit
//! (ServiceTitan allows 5 per minute per report and tenant; see
//! `servicetitan_core::Limits::report_runs_per_minute`); polls and cancellations do not (they
//! name a token, not a report, and public clients poll every 2–5 s), only the tenant's
//! requests per second. A `409` (the same report already running) is retried by the transport.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use servicetitan_reporting::report::ReportParams;
//! use servicetitan_reporting::Api;
//!
//! #[derive(serde::Deserialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct Revenue {
//!     business_unit_name: String,
//!     total_revenue: f64,
//! }
//!
//! # async fn demo(client: &servicetitan_core::Client) -> Result<(), servicetitan_core::Error> {
//! let api = Api::new(client);
//!
//! // What is there.
//! let categories: Vec<_> = api.report_categories().try_collect().await?;
//! let reports: Vec<_> = api.reports_in("operations").try_collect().await?;
//! let definition = api.report_definition("operations", 175).await?;
//! for p in &definition.parameters {
//!     println!("{:?} {:?} required: {:?}", p.name, p.data_type, p.is_required);
//! }
//!
//! // Parameters are checked against the definition before anything is run.
//! let params = ReportParams::new()
//!     .set("From", chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
//!     .set("To", "2024-01-31")
//!     .set("BusinessUnitIds", vec![1, 2]);
//!
//! // Rows keyed by field name, every page fetched lazily.
//! let rows = api.run_report("operations", 175, params.clone()).stream();
//! futures::pin_mut!(rows);
//! while let Some(row) = rows.try_next().await? {
//!     println!("{}", row["BusinessUnitName"]);
//! }
//!
//! // Or straight into your own type.
//! let revenue: Vec<Revenue> = api
//!     .run_report_as::<Revenue>("operations", 175, params)
//!     .try_collect()
//!     .await?;
//! # let _ = (categories, reports, revenue);
//! # Ok(())
//! # }
//! ```
#![warn(clippy::all, missing_docs, rustdoc::broken_intra_doc_links)]

mod cancel;
mod flow;
mod guard;
mod params;
mod rows;

use std::num::NonZeroU32;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use servicetitan_core::Error;

pub use cancel::wait_for_cancellations;
pub use flow::{QueryOptions, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use params::{ParamProblem, ParamValue, ParamsError, ReportParams, DATE_FORMAT, TIME_FORMAT};
pub use rows::{deserialize_row, keyed, Row, RowsPage};

use flow::Fetch;
use guard::{PageGuard, Verdict};

use crate::types::{
    ReportCategoryListItem, ReportField, ReportListItem, ReportParameter, ReportResponse,
};
use crate::Api;

/// A report's description: its parameters and the fields of its rows
/// (`GET …/report-category/{category}/reports/{id}`), with the category it was read from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ReportDefinition {
    /// The category the report was read from (needed to run it).
    pub category: String,
    /// The report's id.
    pub id: i64,
    /// Display name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// When the report's structure last changed.
    pub modified_on: Option<servicetitan_core::types::DateTime>,
    /// The parameters the report takes.
    pub parameters: Vec<ReportParameter>,
    /// The fields (columns) of its rows.
    pub fields: Vec<ReportField>,
}

impl ReportDefinition {
    /// The definition from the API's report description, read from `category`.
    pub fn from_response(category: impl Into<String>, response: ReportResponse) -> Self {
        ReportDefinition {
            category: category.into(),
            id: response.id,
            name: response.name,
            description: response.description,
            modified_on: response.modified_on,
            parameters: response.parameters,
            fields: response.fields,
        }
    }

    /// The parameter named `name` (exact spelling).
    pub fn parameter(&self, name: &str) -> Option<&ReportParameter> {
        self.parameters
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
    }

    /// The parameters that must be set.
    pub fn required_parameters(&self) -> impl Iterator<Item = &ReportParameter> {
        self.parameters
            .iter()
            .filter(|p| p.is_required.unwrap_or(false))
    }

    /// The names of the parameters.
    pub fn parameter_names(&self) -> Vec<&str> {
        self.parameters
            .iter()
            .filter_map(|p| p.name.as_deref())
            .collect()
    }

    /// The names of the fields (columns), in order.
    pub fn field_names(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter_map(|f| f.name.as_deref())
            .collect()
    }

    /// A run of this report with `params` (validated when the run starts; no second request
    /// for the definition).
    pub fn run(&self, api: &Api, params: ReportParams) -> ReportRun {
        ReportRun {
            definition: Some(self.clone()),
            ..ReportRun::new(api.clone(), self.category.clone(), self.id, params)
        }
    }
}

impl Api {
    /// Every report category, every page fetched lazily.
    pub fn report_categories(&self) -> BoxStream<'static, Result<ReportCategoryListItem, Error>> {
        self.report_categories_get_categories().stream()
    }

    /// Every report in `category` (a category id, e.g. `operations`), every page fetched lazily.
    pub fn reports_in(
        &self,
        category: impl Into<String>,
    ) -> BoxStream<'static, Result<ReportListItem, Error>> {
        self.report_category_reports_get_reports(&Into::<String>::into(category))
            .stream()
    }

    /// The definition (parameters and fields) of report `report_id` in `category`.
    pub async fn report_definition(
        &self,
        category: impl Into<String>,
        report_id: i64,
    ) -> Result<ReportDefinition, Error> {
        let category = category.into();
        let response = self
            .report_category_reports_get(&category, report_id)
            .send()
            .await?
            .into_inner();
        Ok(ReportDefinition::from_response(category, response))
    }

    /// Every value of a dynamic value set (the `acceptValues.dynamicSetId` of a parameter, e.g.
    /// the business units), keyed by the set's field names, every page fetched lazily.
    pub fn dynamic_values(
        &self,
        dynamic_set_id: impl Into<String>,
    ) -> BoxStream<'static, Result<Row, Error>> {
        let mut names = Vec::new();
        self.dynamic_value_sets_get_dynamic_set(&Into::<String>::into(dynamic_set_id))
            .pages()
            .map_ok(move |page| {
                if !page.fields.is_empty() {
                    names = rows::field_names(&page.fields);
                }
                let rows: Vec<Result<Row, Error>> = page
                    .data
                    .into_iter()
                    .map(|values| Ok(keyed(&names, values)))
                    .collect();
                stream::iter(rows)
            })
            .try_flatten()
            .boxed()
    }

    /// A run of report `report_id` in `category` with `params`. Nothing is requested until the
    /// run's stream is polled; then the definition is read, `params` are validated against it
    /// ([`ReportDefinition::validate`]; a problem ends the stream with
    /// [`Error::ReportParameters`] before any data request), and the pages are fetched one at a
    /// time. Use [`ReportRun::stream`] for rows, [`ReportRun::deserialize`] for your own type.
    pub fn run_report(
        &self,
        category: impl Into<String>,
        report_id: i64,
        params: ReportParams,
    ) -> ReportRun {
        ReportRun::new(self.clone(), category.into(), report_id, params)
    }

    /// [`run_report`](Self::run_report) with every row read into `T` (a `serde` type whose
    /// field names are the report's field names, e.g. with `#[serde(rename_all = "PascalCase")]`).
    pub fn run_report_as<T: DeserializeOwned + Send + 'static>(
        &self,
        category: impl Into<String>,
        report_id: i64,
        params: ReportParams,
    ) -> BoxStream<'static, Result<T, Error>> {
        self.run_report(category, report_id, params).deserialize()
    }
}

/// One run of a report, not started yet: choose the output with [`pages`](Self::pages),
/// [`stream`](Self::stream), [`deserialize`](Self::deserialize) or
/// [`collect_all`](Self::collect_all).
#[derive(Clone, Debug)]
#[must_use = "a report run does nothing until its stream is polled"]
pub struct ReportRun {
    api: Api,
    category: String,
    report_id: i64,
    params: ReportParams,
    definition: Option<ReportDefinition>,
    page_size: Option<NonZeroU32>,
    options: QueryOptions,
}

impl ReportRun {
    fn new(api: Api, category: String, report_id: i64, params: ReportParams) -> Self {
        ReportRun {
            api,
            category,
            report_id,
            params,
            definition: None,
            page_size: None,
            options: QueryOptions::default(),
        }
    }

    /// Rows per page (the API's `pageSize`, at most [`MAX_PAGE_SIZE`] = 25,000; more is
    /// capped); the API's default (1000) when not set. `0` means the default.
    pub fn page_size(mut self, rows: u32) -> Self {
        self.page_size = NonZeroU32::new(rows.min(MAX_PAGE_SIZE));
        self
    }

    /// How long an asynchronous query may run before it is cancelled and the run fails
    /// (default 15 minutes).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.options.deadline = deadline;
        self
    }

    /// The waits between polls of an asynchronous query: `first`, growing by half up to `max`
    /// (defaults 2 s and 10 s).
    pub fn poll_interval(mut self, first: Duration, max: Duration) -> Self {
        self.options.first_poll = first;
        self.options.max_poll = max.max(first);
        self
    }

    /// Use the synchronous `POST …/data` instead of the query flow.
    pub fn synchronous(mut self, synchronous: bool) -> Self {
        self.options.synchronous = synchronous;
        self
    }

    /// All the query options at once.
    pub fn query_options(mut self, options: QueryOptions) -> Self {
        self.options = options;
        self
    }

    /// Validate against `definition` instead of reading the definition first.
    pub fn with_definition(mut self, definition: ReportDefinition) -> Self {
        self.definition = Some(definition);
        self
    }

    /// Every page, keyed rows, fetched one at a time. A page without a `fields` list is keyed by
    /// the last page's fields (or the definition's). A page the server repeats (paging ignored,
    /// `HasMore` still true) is dropped and ends the run, so every row comes once, in order.
    pub fn pages(self) -> BoxStream<'static, Result<RowsPage, Error>> {
        let ReportRun {
            api,
            category,
            report_id,
            params,
            definition,
            page_size,
            options,
        } = self;
        let start = async move {
            let definition = match definition {
                Some(d) => d,
                None => api.report_definition(category.clone(), report_id).await?,
            };
            let body = definition.validate(&params)?;
            let names: Vec<String> = definition
                .field_names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let fetch = Fetch {
                api,
                category,
                report_id,
                body,
                page_size,
                options,
            };
            let guard = PageGuard::new(page_size.map_or(DEFAULT_PAGE_SIZE, NonZeroU32::get));
            let state = Some((fetch, 1_i32, guard, names));
            let pages = stream::try_unfold(state, |state| async move {
                let Some((fetch, page, mut guard, mut names)) = state else {
                    return Ok(None);
                };
                let answer = fetch.page(page).await?;
                let more = match guard.check(&answer.data, answer.has_more) {
                    Verdict::Repeat => return Ok(None),
                    Verdict::Deliver { more } => more,
                };
                if !answer.fields.is_empty() {
                    names = rows::field_names(&answer.fields);
                }
                let rows_page = RowsPage {
                    page: answer.page,
                    has_more: more,
                    total_count: answer.total_count,
                    rows: answer
                        .data
                        .into_iter()
                        .map(|values| keyed(&names, values))
                        .collect(),
                    fields: names.clone(),
                };
                let next = (more && page < i32::MAX).then(|| (fetch, page + 1, guard, names));
                Ok(Some((rows_page, next)))
            });
            Ok::<_, Error>(pages)
        };
        stream::once(start).try_flatten().boxed()
    }

    /// Every row of every page, keyed by field name, fetched lazily.
    pub fn stream(self) -> BoxStream<'static, Result<Row, Error>> {
        self.pages()
            .map_ok(|page| stream::iter(page.rows.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every row of every page read into `T`, fetched lazily. A row that does not fit `T` is an
    /// [`Error::Decode`] naming the row (0-based, across pages).
    pub fn deserialize<T: DeserializeOwned + Send + 'static>(
        self,
    ) -> BoxStream<'static, Result<T, Error>> {
        self.stream()
            .enumerate()
            .map(|(index, row)| row.and_then(|row| deserialize_row(row, index)))
            .boxed()
    }

    /// Reads every row of every page into a `Vec`.
    pub async fn collect_all(self) -> Result<Vec<Row>, Error> {
        self.stream().try_collect().await
    }
}
