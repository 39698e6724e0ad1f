//! Typed equivalents of servicepytan's `DataService`: "records of these local days" queries.
//!
//! servicepytan's `DataService.get_jobs_completed_between(start, end)` and friends take dates in
//! the tenant's time zone and return lists. Here the dates are [`Date`]s, turned into UTC
//! `…OnOrAfter` / `…Before` bounds with the client's configured time zone
//! (`SERVICETITAN_TIMEZONE`, see [`crate::time`]) — both ends inclusive as days, correct across
//! DST — and the records come as a lazy stream over every page (collect it with
//! `try_collect().await` for servicepytan's list).
//!
//! ```no_run
//! use servicetitan::data::DataService;
//! use servicetitan::prelude::*;
//! use servicetitan::types::Date;
//!
//! # async fn run() -> Result<(), servicetitan::Error> {
//! let client = Client::from_env()?;
//! let data = DataService::new(&client);
//! let march = (Date::from_ymd_opt(2024, 3, 1).unwrap(), Date::from_ymd_opt(2024, 3, 31).unwrap());
//! let jobs: Vec<_> = data.jobs_completed_between(march.0, march.1)?.try_collect().await?;
//! println!("{} jobs completed in March", jobs.len());
//! # Ok(()) }
//! ```

use crate::futures::Stream;
use crate::jpm::types::{AppointmentResponse, JobResponse};
use crate::time::{self, UtcRange};
use crate::types::Date;
use crate::{jpm, Client, Error, Modules};

/// Date-range queries over one tenant, in that tenant's time zone.
#[derive(Clone, Debug)]
pub struct DataService {
    client: Client,
    jpm: jpm::Api,
}

impl DataService {
    /// Queries through `client` (its tenant, and its configured time zone for the dates).
    pub fn new(client: &Client) -> Self {
        DataService {
            client: client.clone(),
            jpm: client.jpm(),
        }
    }

    /// The UTC bounds of the local days `first..=last` in the client's time zone.
    pub fn bounds(&self, first: Date, last: Date) -> Result<UtcRange, Error> {
        time::days(first, last, &self.client.config().timezone())
    }

    /// Jobs completed on the local days `first..=last` (`completedOnOrAfter`/`completedBefore`).
    pub fn jobs_completed_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<impl Stream<Item = Result<JobResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .jpm
            .jobs_get_list()
            .completed_on_or_after(range.on_or_after)
            .completed_before(range.before)
            .stream())
    }

    /// Jobs created on the local days `first..=last` (`createdOnOrAfter`/`createdBefore`).
    pub fn jobs_created_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<impl Stream<Item = Result<JobResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .jpm
            .jobs_get_list()
            .created_on_or_after(range.on_or_after)
            .created_before(range.before)
            .stream())
    }

    /// Appointments starting on the local days `first..=last`
    /// (`startsOnOrAfter`/`startsBefore`).
    pub fn appointments_starting_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<impl Stream<Item = Result<AppointmentResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .jpm
            .appointments_get_list()
            .starts_on_or_after(range.on_or_after)
            .starts_before(range.before)
            .stream())
    }
}
