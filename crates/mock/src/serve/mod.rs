//! Answering API calls: the pipeline every request goes through ([`api`]) and one module per
//! kind of operation.

pub mod api;
pub mod call;
pub mod export;
pub mod files;
pub mod items;
pub mod list;
pub mod report;
pub mod report_query;
