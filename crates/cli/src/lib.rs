//! `st`, the ServiceTitan command line, as a library: the command table generated from the specs
//! and the pieces the binary wires together (kept here so they are unit-tested and documented).
#![warn(missing_docs)]

pub mod table;
