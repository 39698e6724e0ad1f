//! Build-time code generation for the ServiceTitan SDK.
//!
//! * [`manifest`] — the committed list of modules (`specs/manifest.json`);
//! * [`normalize`] — OpenAPI 3.1 → the 3.0 subset progenitor reads, plus the SDK's typing rules;
//! * [`inventory`] — what operations a spec has and of which kind (paged list, export, …);
//! * [`generate`] — progenitor + post-processing + the hand-shaped domain client;
//! * [`specs`] — the one spec reader (found, patched, described, normalized once);
//! * [`schema`] — parameter and record schemas of a patched document (the CLI's and sync's tables);
//! * [`build`] — the entry points every build script calls.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod build;
pub mod decoders;
pub mod diff;
pub mod domain;
pub mod envelopes;
pub mod generate;
pub mod inventory;
pub mod lenient_fields;
pub mod manifest;
pub mod normalize;
pub mod patches;
pub mod postprocess;
pub mod schema;
pub mod specs;
