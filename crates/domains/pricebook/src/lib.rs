//! ServiceTitan **Pricebook** API (`pricebook/v2`).
//!
//! Generated at build time from the portal's `tenant-pricebook-v2` OpenAPI document (see the
//! workspace README). Get a client from [`servicetitan::Client`](https://docs.rs/servicetitan)
//! or with [`Api::new`] from a [`servicetitan_core::Client`].

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
