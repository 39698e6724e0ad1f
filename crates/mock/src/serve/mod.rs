//! Answering API calls: the pipeline every request goes through ([`api`]) and one module per
//! kind of operation.

pub mod actions;
pub mod api;
pub mod call;
pub mod export;
pub mod files;
pub mod filters;
pub mod items;
pub mod list;
pub mod report;
pub mod report_query;
pub mod sort;
