//! ServiceTitan **Reporting** API (`reporting/v2`).
//!
//! Generated at build time from the portal's `tenant-reporting-v2` OpenAPI document (see the
//! workspace README). Get a client from [`servicetitan::Client`](https://docs.rs/servicetitan)
//! or with [`Api::new`] from a [`servicetitan_core::Client`].
//!
//! Hand-written on top: [`report`] — listing reports, checking parameters against a report's
//! definition before running it, and reading every page of a run as records or as your own type.

// The generated code carries the specs' prose verbatim into doc comments and follows
// progenitor's and typify's style; lints are for hand-written code.
#![allow(clippy::all, rustdoc::all)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

pub mod report;
