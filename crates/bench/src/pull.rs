//! P1: pull every job, page size 5000 — the SDK's `.stream()`, `.stream_concurrent(n)`, and a
//! hand-written reqwest + serde loop decoding into the same generated page type (the floor).

use crate::clients::{self, Raw};
use crate::BoxError;
use futures::TryStreamExt;
use servicetitan::jpm::types::{JobResponse, JobResponsePage};
use servicetitan::paging::Page;
use servicetitan::prelude::*;

/// How P1 pulls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// `.stream()`: the SDK's default.
    Stream,
    /// `.stream_concurrent(n)`.
    Concurrent,
    /// reqwest + `serde_json::from_slice::<JobResponsePage>`, one page after the other.
    Floor,
    /// The same loop decoding with the SDK's `servicetitan::decode::from_bytes`: the floor
    /// without the SDK's transport and paging, so the difference is their cost alone.
    FloorSdkDecode,
}

/// What a pull saw: checked against the mock's record count by the caller.
#[derive(Default)]
struct Tally {
    records: u64,
    id_sum: i64,
}

impl Tally {
    fn add(&mut self, job: &JobResponse) {
        self.records += 1;
        self.id_sum = self.id_sum.wrapping_add(job.id);
    }
}

/// Runs one pull and prints `{"records": n, "id_sum": s}`.
pub async fn run(
    url: &str,
    mode: Mode,
    concurrency: usize,
    page_size: i32,
) -> Result<(), BoxError> {
    let mut tally = Tally::default();
    match mode {
        Mode::Stream => {
            let client = clients::sdk(url, Some(60))?;
            let api = client.jpm();
            drain(
                api.jobs_get_list().page_size(page_size).stream(),
                &mut tally,
            )
            .await?;
        }
        Mode::Concurrent => {
            let client = clients::sdk(url, Some(60))?;
            let api = client.jpm();
            let jobs = api
                .jobs_get_list()
                .page_size(page_size)
                .stream_concurrent(concurrency);
            drain(jobs, &mut tally).await?;
        }
        Mode::Floor => floor(url, page_size, &mut tally, false).await?,
        Mode::FloorSdkDecode => floor(url, page_size, &mut tally, true).await?,
    }
    println!(
        "{}",
        serde_json::json!({"records": tally.records, "id_sum": tally.id_sum})
    );
    Ok(())
}

async fn drain<S>(jobs: S, tally: &mut Tally) -> Result<(), BoxError>
where
    S: futures::Stream<Item = Result<JobResponse, servicetitan::Error>>,
{
    let mut jobs = std::pin::pin!(jobs);
    while let Some(job) = jobs.try_next().await? {
        tally.add(&job);
    }
    Ok(())
}

async fn floor(
    url: &str,
    page_size: i32,
    tally: &mut Tally,
    sdk_decode: bool,
) -> Result<(), BoxError> {
    let raw = Raw::connect(url).await?;
    let mut page = 1;
    loop {
        let body = raw.jobs_page(page, page_size).await?;
        let envelope: JobResponsePage = if sdk_decode {
            servicetitan::decode::from_bytes(&body)?
        } else {
            serde_json::from_slice(&body)?
        };
        let more = envelope.has_more();
        for job in envelope.into_records().into_results() {
            tally.add(&job?);
        }
        if !more {
            return Ok(());
        }
        page += 1;
    }
}
