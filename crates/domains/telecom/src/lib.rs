//! ServiceTitan **Telecom** API (`telecom`).
//!
//! Generated at build time from the portal's `tenant-telecom` OpenAPI document (see the
//! workspace README). Get a client from [`servicetitan::Client`](https://docs.rs/servicetitan)
//! or with [`Api::new`] from a [`servicetitan_core::Client`].

// The generated code carries the specs' prose verbatim into doc comments and follows
// progenitor's and typify's style; lints are for hand-written code.
#![allow(clippy::all, rustdoc::all)]

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
