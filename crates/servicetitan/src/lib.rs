//! Typed, async Rust SDK for the ServiceTitan REST API.
//!
//! One [`Client`] per application: it resolves the configuration (builder values, a JSON file,
//! the environment and `.env`), fetches and caches the OAuth2 token, and hands out one typed
//! client per API module — each behind its own cargo feature, so you compile only what you use.
//!
//! ```no_run
//! use servicetitan::prelude::*;
//!
//! # #[cfg(feature = "jpm")]
//! # async fn run() -> Result<(), servicetitan::Error> {
//! let client = Client::from_env()?;
//! let page = client.jpm().jobs_get_list().page_size(50).send().await?;
//! println!("{} jobs on the first page", page.data.len());
//! # Ok(()) }
//! ```

pub use servicetitan_core::{
    auth, client, config, error, export, lenient, limit, paging, retry, transport, types, upload,
    Client, ClientBuilder, Config, Error, OperationKind, OperationMeta,
};

/// The Accounting API (`accounting/v2`), feature `accounting`.
#[cfg(feature = "accounting")]
pub use servicetitan_accounting as accounting;
/// The CRM API (`crm/v2`), feature `crm`.
#[cfg(feature = "crm")]
pub use servicetitan_crm as crm;
/// The Customer Interactions API (`customer-interactions/v2`), feature `customer-interactions`.
#[cfg(feature = "customer-interactions")]
pub use servicetitan_customer_interactions as customer_interactions;
/// The Dispatch API (`dispatch/v2`), feature `dispatch`.
#[cfg(feature = "dispatch")]
pub use servicetitan_dispatch as dispatch;
/// The Equipment Systems API (`equipmentsystems/v2`), feature `equipment-systems`.
#[cfg(feature = "equipment-systems")]
pub use servicetitan_equipment_systems as equipment_systems;
/// The Findings API (`findings/v2`), feature `findings`.
#[cfg(feature = "findings")]
pub use servicetitan_findings as findings;
/// The Fleet Pro API (`fleetpro/v2`), feature `fleet-pro`.
#[cfg(feature = "fleet-pro")]
pub use servicetitan_fleet_pro as fleet_pro;
/// The Forms API (`forms/v2`), feature `forms`.
#[cfg(feature = "forms")]
pub use servicetitan_forms as forms;
/// The Inventory API (`inventory/v2`), feature `inventory`.
#[cfg(feature = "inventory")]
pub use servicetitan_inventory as inventory;
/// The Job Booking API (`jbce/v2`), feature `jbce`.
#[cfg(feature = "jbce")]
pub use servicetitan_jbce as jbce;
/// The Job Planning and Management API (`jpm/v2`), feature `jpm`.
#[cfg(feature = "jpm")]
pub use servicetitan_jpm as jpm;
/// The Marketing API (`marketing/v2`), feature `marketing`.
#[cfg(feature = "marketing")]
pub use servicetitan_marketing as marketing;
/// The Marketing Ads API (`marketingads/v2`), feature `marketing-ads`.
#[cfg(feature = "marketing-ads")]
pub use servicetitan_marketing_ads as marketing_ads;
/// The Marketing Reputation API (`marketingreputation/v2`), feature `marketing-reputation`.
#[cfg(feature = "marketing-reputation")]
pub use servicetitan_marketing_reputation as marketing_reputation;
/// The Memberships API (`memberships/v2`), feature `memberships`.
#[cfg(feature = "memberships")]
pub use servicetitan_memberships as memberships;
/// The Payroll API (`payroll/v2`), feature `payroll`.
#[cfg(feature = "payroll")]
pub use servicetitan_payroll as payroll;
/// The Pricebook API (`pricebook/v2`), feature `pricebook`.
#[cfg(feature = "pricebook")]
pub use servicetitan_pricebook as pricebook;
/// The Reporting API (`reporting/v2`), feature `reporting`.
#[cfg(feature = "reporting")]
pub use servicetitan_reporting as reporting;
/// The Sales & Estimates API (`sales/v2`), feature `salestech`.
#[cfg(feature = "salestech")]
pub use servicetitan_salestech as salestech;
/// The Scheduling Pro API (`schedulingpro/v2`), feature `scheduling-pro`.
#[cfg(feature = "scheduling-pro")]
pub use servicetitan_scheduling_pro as scheduling_pro;
/// The Service Agreements API (`service-agreements/v2`), feature `service-agreements`.
#[cfg(feature = "service-agreements")]
pub use servicetitan_service_agreements as service_agreements;
/// The Settings API (`settings/v2`), feature `settings`.
#[cfg(feature = "settings")]
pub use servicetitan_settings as settings;
/// The Task Management API (`taskmanagement/v2`), feature `task-management`.
#[cfg(feature = "task-management")]
pub use servicetitan_task_management as task_management;
/// The Telecom API (`telecom`), feature `telecom`.
#[cfg(feature = "telecom")]
pub use servicetitan_telecom as telecom;
/// The Timesheets API (`timesheets/v2`), feature `timesheets`.
#[cfg(feature = "timesheets")]
pub use servicetitan_timesheets as timesheets;

/// One accessor per enabled API module, on [`Client`]. In the prelude.
pub trait Modules {
    /// The Accounting API (`accounting/v2`) for this client's tenant.
    #[cfg(feature = "accounting")]
    fn accounting(&self) -> accounting::Api;
    /// The CRM API (`crm/v2`) for this client's tenant.
    #[cfg(feature = "crm")]
    fn crm(&self) -> crm::Api;
    /// The Customer Interactions API (`customer-interactions/v2`) for this client's tenant.
    #[cfg(feature = "customer-interactions")]
    fn customer_interactions(&self) -> customer_interactions::Api;
    /// The Dispatch API (`dispatch/v2`) for this client's tenant.
    #[cfg(feature = "dispatch")]
    fn dispatch(&self) -> dispatch::Api;
    /// The Equipment Systems API (`equipmentsystems/v2`) for this client's tenant.
    #[cfg(feature = "equipment-systems")]
    fn equipment_systems(&self) -> equipment_systems::Api;
    /// The Findings API (`findings/v2`) for this client's tenant.
    #[cfg(feature = "findings")]
    fn findings(&self) -> findings::Api;
    /// The Fleet Pro API (`fleetpro/v2`) for this client's tenant.
    #[cfg(feature = "fleet-pro")]
    fn fleet_pro(&self) -> fleet_pro::Api;
    /// The Forms API (`forms/v2`) for this client's tenant.
    #[cfg(feature = "forms")]
    fn forms(&self) -> forms::Api;
    /// The Inventory API (`inventory/v2`) for this client's tenant.
    #[cfg(feature = "inventory")]
    fn inventory(&self) -> inventory::Api;
    /// The Job Booking API (`jbce/v2`) for this client's tenant.
    #[cfg(feature = "jbce")]
    fn jbce(&self) -> jbce::Api;
    /// The Job Planning and Management API (`jpm/v2`) for this client's tenant.
    #[cfg(feature = "jpm")]
    fn jpm(&self) -> jpm::Api;
    /// The Marketing Ads API (`marketingads/v2`) for this client's tenant.
    #[cfg(feature = "marketing-ads")]
    fn marketing_ads(&self) -> marketing_ads::Api;
    /// The Marketing Reputation API (`marketingreputation/v2`) for this client's tenant.
    #[cfg(feature = "marketing-reputation")]
    fn marketing_reputation(&self) -> marketing_reputation::Api;
    /// The Marketing API (`marketing/v2`) for this client's tenant.
    #[cfg(feature = "marketing")]
    fn marketing(&self) -> marketing::Api;
    /// The Memberships API (`memberships/v2`) for this client's tenant.
    #[cfg(feature = "memberships")]
    fn memberships(&self) -> memberships::Api;
    /// The Payroll API (`payroll/v2`) for this client's tenant.
    #[cfg(feature = "payroll")]
    fn payroll(&self) -> payroll::Api;
    /// The Pricebook API (`pricebook/v2`) for this client's tenant.
    #[cfg(feature = "pricebook")]
    fn pricebook(&self) -> pricebook::Api;
    /// The Reporting API (`reporting/v2`) for this client's tenant.
    #[cfg(feature = "reporting")]
    fn reporting(&self) -> reporting::Api;
    /// The Sales & Estimates API (`sales/v2`) for this client's tenant.
    #[cfg(feature = "salestech")]
    fn salestech(&self) -> salestech::Api;
    /// The Scheduling Pro API (`schedulingpro/v2`) for this client's tenant.
    #[cfg(feature = "scheduling-pro")]
    fn scheduling_pro(&self) -> scheduling_pro::Api;
    /// The Service Agreements API (`service-agreements/v2`) for this client's tenant.
    #[cfg(feature = "service-agreements")]
    fn service_agreements(&self) -> service_agreements::Api;
    /// The Settings API (`settings/v2`) for this client's tenant.
    #[cfg(feature = "settings")]
    fn settings(&self) -> settings::Api;
    /// The Task Management API (`taskmanagement/v2`) for this client's tenant.
    #[cfg(feature = "task-management")]
    fn task_management(&self) -> task_management::Api;
    /// The Telecom API (`telecom`) for this client's tenant.
    #[cfg(feature = "telecom")]
    fn telecom(&self) -> telecom::Api;
    /// The Timesheets API (`timesheets/v2`) for this client's tenant.
    #[cfg(feature = "timesheets")]
    fn timesheets(&self) -> timesheets::Api;
}

impl Modules for Client {
    #[cfg(feature = "accounting")]
    fn accounting(&self) -> accounting::Api {
        accounting::Api::new(self)
    }
    #[cfg(feature = "crm")]
    fn crm(&self) -> crm::Api {
        crm::Api::new(self)
    }
    #[cfg(feature = "customer-interactions")]
    fn customer_interactions(&self) -> customer_interactions::Api {
        customer_interactions::Api::new(self)
    }
    #[cfg(feature = "dispatch")]
    fn dispatch(&self) -> dispatch::Api {
        dispatch::Api::new(self)
    }
    #[cfg(feature = "equipment-systems")]
    fn equipment_systems(&self) -> equipment_systems::Api {
        equipment_systems::Api::new(self)
    }
    #[cfg(feature = "findings")]
    fn findings(&self) -> findings::Api {
        findings::Api::new(self)
    }
    #[cfg(feature = "fleet-pro")]
    fn fleet_pro(&self) -> fleet_pro::Api {
        fleet_pro::Api::new(self)
    }
    #[cfg(feature = "forms")]
    fn forms(&self) -> forms::Api {
        forms::Api::new(self)
    }
    #[cfg(feature = "inventory")]
    fn inventory(&self) -> inventory::Api {
        inventory::Api::new(self)
    }
    #[cfg(feature = "jbce")]
    fn jbce(&self) -> jbce::Api {
        jbce::Api::new(self)
    }
    #[cfg(feature = "jpm")]
    fn jpm(&self) -> jpm::Api {
        jpm::Api::new(self)
    }
    #[cfg(feature = "marketing-ads")]
    fn marketing_ads(&self) -> marketing_ads::Api {
        marketing_ads::Api::new(self)
    }
    #[cfg(feature = "marketing-reputation")]
    fn marketing_reputation(&self) -> marketing_reputation::Api {
        marketing_reputation::Api::new(self)
    }
    #[cfg(feature = "marketing")]
    fn marketing(&self) -> marketing::Api {
        marketing::Api::new(self)
    }
    #[cfg(feature = "memberships")]
    fn memberships(&self) -> memberships::Api {
        memberships::Api::new(self)
    }
    #[cfg(feature = "payroll")]
    fn payroll(&self) -> payroll::Api {
        payroll::Api::new(self)
    }
    #[cfg(feature = "pricebook")]
    fn pricebook(&self) -> pricebook::Api {
        pricebook::Api::new(self)
    }
    #[cfg(feature = "reporting")]
    fn reporting(&self) -> reporting::Api {
        reporting::Api::new(self)
    }
    #[cfg(feature = "salestech")]
    fn salestech(&self) -> salestech::Api {
        salestech::Api::new(self)
    }
    #[cfg(feature = "scheduling-pro")]
    fn scheduling_pro(&self) -> scheduling_pro::Api {
        scheduling_pro::Api::new(self)
    }
    #[cfg(feature = "service-agreements")]
    fn service_agreements(&self) -> service_agreements::Api {
        service_agreements::Api::new(self)
    }
    #[cfg(feature = "settings")]
    fn settings(&self) -> settings::Api {
        settings::Api::new(self)
    }
    #[cfg(feature = "task-management")]
    fn task_management(&self) -> task_management::Api {
        task_management::Api::new(self)
    }
    #[cfg(feature = "telecom")]
    fn telecom(&self) -> telecom::Api {
        telecom::Api::new(self)
    }
    #[cfg(feature = "timesheets")]
    fn timesheets(&self) -> timesheets::Api {
        timesheets::Api::new(self)
    }
}

/// `use servicetitan::prelude::*;` brings the client, the module accessors and the error.
pub mod prelude {
    pub use super::{Client, Error, Modules};
    pub use servicetitan_core::futures::{StreamExt as _, TryStreamExt as _};
}

/// The `futures` crate the streams implement, re-exported.
pub use servicetitan_core::futures;

/// Local dates → the UTC bounds of the API's date filters.
pub use servicetitan_core::time;

/// Typed equivalents of servicepytan's `DataService` (date-range queries and reference lists),
/// with any of the features `jpm`, `salestech`, `inventory`, `settings`.
#[cfg(any(
    feature = "jpm",
    feature = "salestech",
    feature = "inventory",
    feature = "settings"
))]
pub mod data;

/// A local mock ServiceTitan and a client wired to it (feature `mock`).
#[cfg(feature = "mock")]
pub mod mock;
