//! Typed equivalents of servicepytan's `DataService`: "records of these local days" queries and
//! the reference lists (employees, technicians, tag types, business units).
//!
//! servicepytan's `DataService.get_jobs_completed_between(start, end)` and friends take dates in
//! the tenant's time zone and return lists. Here the dates are [`Date`](crate::types::Date)s, turned into UTC
//! `…OnOrAfter` / `…Before` bounds with the client's configured time zone
//! (`SERVICETITAN_TIMEZONE`, see [`crate::time`]) — both ends inclusive as days, correct across
//! DST — and the records come as a lazy stream over every page (collect it with
//! `try_collect().await` for servicepytan's list).
//!
//! Lists whose API hides inactive records unless asked (`active` defaults to `True`) take an
//! [`Activity`](crate::data::Activity): [`Activity::Any`](crate::data::Activity::Any) for a complete copy (each record says whether it is
//! `active`), [`Activity::Active`](crate::data::Activity::Active) for servicepytan's default.
//!
//! Each method needs its module's cargo feature: `jpm` (jobs, appointments), `salestech`
//! (estimates), `inventory` (purchase orders), `settings` (employees, technicians, tag types,
//! business units).
//!
//! ```no_run
//! use servicetitan::data::DataService;
//! use servicetitan::prelude::*;
//! use servicetitan::types::Date;
//!
//! # #[cfg(feature = "jpm")]
//! # async fn run() -> Result<(), servicetitan::Error> {
//! let client = Client::from_env()?;
//! let data = DataService::new(&client);
//! let march = (Date::from_ymd_opt(2024, 3, 1).unwrap(), Date::from_ymd_opt(2024, 3, 31).unwrap());
//! let jobs: Vec<_> = data.jobs_completed_between(march.0, march.1)?.try_collect().await?;
//! println!("{} jobs completed in March", jobs.len());
//! # Ok(()) }
//! ```

use crate::futures::Stream;
#[cfg(feature = "inventory")]
use crate::inventory::{self, types::PurchaseOrderResponse};
#[cfg(feature = "jpm")]
use crate::jpm::{
    self,
    types::{AppointmentResponse, JobResponse},
};
#[cfg(feature = "salestech")]
use crate::salestech::{self, types::EstimateResponse};
#[cfg(feature = "settings")]
use crate::settings::{
    self,
    types::{BusinessUnitResponse, EmployeeResponse, TagTypeResponse, TechnicianResponse},
};
use crate::time::{self, UtcRange};
use crate::types::Date;
#[cfg(feature = "salestech")]
use crate::types::Decimal;
use crate::{Client, Error, Modules};

/// Which records a list returns, by their `active` flag (the API's `active` parameter, which
/// defaults to active records only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activity {
    /// Active records only (`active=True`, the API's default).
    Active,
    /// Inactive records only (`active=False`).
    Inactive,
    /// Active and inactive records (`active=Any`): what a complete copy needs.
    Any,
}

/// `Activity` → a module's `ActiveRequestArg`.
#[cfg(any(feature = "jpm", feature = "salestech", feature = "settings"))]
macro_rules! active_arg {
    ($module:ident, $activity:expr) => {
        match $activity {
            Activity::Active => $module::types::ActiveRequestArg::True,
            Activity::Inactive => $module::types::ActiveRequestArg::False,
            Activity::Any => $module::types::ActiveRequestArg::Any,
        }
    };
}

/// Date-range queries over one tenant, in that tenant's time zone.
#[derive(Clone, Debug)]
pub struct DataService {
    client: Client,
    #[cfg(feature = "jpm")]
    jpm: jpm::Api,
    #[cfg(feature = "salestech")]
    salestech: salestech::Api,
    #[cfg(feature = "inventory")]
    inventory: inventory::Api,
    #[cfg(feature = "settings")]
    settings: settings::Api,
}

impl DataService {
    /// Queries through `client` (its tenant, and its configured time zone for the dates).
    pub fn new(client: &Client) -> Self {
        DataService {
            client: client.clone(),
            #[cfg(feature = "jpm")]
            jpm: client.jpm(),
            #[cfg(feature = "salestech")]
            salestech: client.salestech(),
            #[cfg(feature = "inventory")]
            inventory: client.inventory(),
            #[cfg(feature = "settings")]
            settings: client.settings(),
        }
    }

    /// The UTC bounds of the local days `first..=last` in the client's time zone.
    pub fn bounds(&self, first: Date, last: Date) -> Result<UtcRange, Error> {
        time::days(first, last, &self.client.config().timezone())
    }

    /// Jobs completed on the local days `first..=last` (`completedOnOrAfter`/`completedBefore`).
    #[cfg(feature = "jpm")]
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
    #[cfg(feature = "jpm")]
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
    /// (`startsOnOrAfter`/`startsBefore`), with `activity` (the API hides inactive ones unless
    /// asked).
    #[cfg(feature = "jpm")]
    pub fn appointments_starting_between(
        &self,
        first: Date,
        last: Date,
        activity: Activity,
    ) -> Result<impl Stream<Item = Result<AppointmentResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .jpm
            .appointments_get_list()
            .starts_on_or_after(range.on_or_after)
            .starts_before(range.before)
            .active(active_arg!(jpm, activity))
            .stream())
    }

    /// Jobs modified on the local days `first..=last` (`modifiedOnOrAfter`/`modifiedBefore`):
    /// servicepytan's `get_jobs_modified_between`.
    #[cfg(feature = "jpm")]
    pub fn jobs_modified_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<impl Stream<Item = Result<JobResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .jpm
            .jobs_get_list()
            .modified_on_or_after(range.on_or_after)
            .modified_before(range.before)
            .stream())
    }

    /// Estimates sold on the local days `first..=last` (`soldAfter`/`soldBefore`), with
    /// `activity` (servicepytan's `get_sold_estimates_between` asks for active ones).
    #[cfg(feature = "salestech")]
    pub fn sold_estimates_between(
        &self,
        first: Date,
        last: Date,
        activity: Activity,
    ) -> Result<impl Stream<Item = Result<EstimateResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .salestech
            .estimates_get_list()
            .sold_after(range.on_or_after)
            .sold_before(range.before)
            .active(active_arg!(salestech, activity))
            .stream())
    }

    /// The sum of the item totals of the active estimates sold on the local days
    /// `first..=last` (servicepytan's `get_total_sales_between`), exact in [`Decimal`].
    #[cfg(feature = "salestech")]
    pub async fn total_sales_between(&self, first: Date, last: Date) -> Result<Decimal, Error> {
        use crate::futures::TryStreamExt;
        self.sold_estimates_between(first, last, Activity::Active)?
            .try_fold(Decimal::ZERO, |sum, estimate| async move {
                let items = estimate.items.unwrap_or_default();
                Ok(sum + items.iter().filter_map(|item| item.total).sum::<Decimal>())
            })
            .await
    }

    /// Purchase orders created on the local days `first..=last`
    /// (`createdOnOrAfter`/`createdBefore`; the list has no `active` filter).
    #[cfg(feature = "inventory")]
    pub fn purchase_orders_created_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<impl Stream<Item = Result<PurchaseOrderResponse, Error>> + '_, Error> {
        let range = self.bounds(first, last)?;
        Ok(self
            .inventory
            .purchase_orders_get_list()
            .created_on_or_after(range.on_or_after)
            .created_before(range.before)
            .stream())
    }

    /// Every employee with `activity` (servicepytan's `get_employees`).
    #[cfg(feature = "settings")]
    pub fn employees(
        &self,
        activity: Activity,
    ) -> impl Stream<Item = Result<EmployeeResponse, Error>> + '_ {
        self.settings
            .employees_get_list()
            .active(active_arg!(settings, activity))
            .stream()
    }

    /// Every technician with `activity` (servicepytan's `get_technicians`).
    #[cfg(feature = "settings")]
    pub fn technicians(
        &self,
        activity: Activity,
    ) -> impl Stream<Item = Result<TechnicianResponse, Error>> + '_ {
        self.settings
            .technicians_get_list()
            .active(active_arg!(settings, activity))
            .stream()
    }

    /// Every tag type with `activity` (servicepytan's `get_tag_types`).
    #[cfg(feature = "settings")]
    pub fn tag_types(
        &self,
        activity: Activity,
    ) -> impl Stream<Item = Result<TagTypeResponse, Error>> + '_ {
        self.settings
            .tag_types_get_list()
            .active(active_arg!(settings, activity))
            .stream()
    }

    /// Every business unit with `activity` (servicepytan's `get_business_units`).
    #[cfg(feature = "settings")]
    pub fn business_units(
        &self,
        activity: Activity,
    ) -> impl Stream<Item = Result<BusinessUnitResponse, Error>> + '_ {
        self.settings
            .business_units_get_list()
            .active(active_arg!(settings, activity))
            .stream()
    }
}
