//! `st`, the ServiceTitan command line, as a library: the command table generated from the specs
//! ([`table`]) and the pieces the binary wires together, kept here so they are unit-tested.
//!
//! * [`app`] — the command tree and its dispatch;
//! * [`ops`] — one command per operation, and the call by path it makes;
//! * [`export`] and [`csv_records`] — `st export`, over `servicetitan_core::export::file`;
//! * [`report`] — `st report list|show|run`, over the reporting crate's `report` module;
//! * [`account`] — `st config check` and `st auth token`;
//! * [`sync`] — `st sync`, over the `servicetitan-sync` library;
//! * [`mock`] — `st mock` and the global `--mock`;
//! * [`mcp`] — `st mcp`, the API for AI agents over the Model Context Protocol;
//! * [`setup`] — the global options turned into the library's builders;
//! * [`output`] — JSON printed without re-encoding (pretty on a terminal, compact otherwise).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod account;
pub mod app;
pub mod csv_records;
pub mod export;
pub mod mcp;
pub mod mock;
pub mod ops;
pub mod output;
pub mod report;
pub mod setup;
pub mod sync;
pub mod table;

/// Any failure of a command: printed as `error: <message>`, exit status 1.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;
