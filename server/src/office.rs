//! What the street office's pages ask the relay: figures, key groups,
//! tasks, device activity, tokens, and spreadsheets out.
//!
//! # Why on the relay
//!
//! The relay already holds every document of the street and links the
//! records code, so it answers these questions from its own copy
//! ([`street::OfficeCache`], read through the storage seam, cached per
//! document until a change to it is stored). The office PC then needs no
//! copy of the street: on the street preset that copy is 210 building
//! documents holding 12,600 households, megabytes that a browser would have
//! to fetch and parse before the first figure (see BENCHMARKS.md, "The
//! street office"). Each answer covers exactly the documents the request's
//! token may read under the sync rules ([`crate::access::decide`]), so a
//! page never shows what the same token could not sync.
//!
//! Handlers live in `routes/office.rs`; here are the answers.

pub mod devices;
pub mod export;
pub mod figures;
pub mod import;
pub mod key_groups;
pub mod notices;
pub mod street;
pub mod tasks;
pub mod tokens;

pub use street::{OfficeCache, Street, Want};

/// Why an office request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfficeError {
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    #[error("this relay has no street directory yet")]
    NoDirectory,
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    #[error("building the spreadsheet failed: {0}")]
    Export(String),
    #[error("import stopped: {0}")]
    Import(String),
}

impl From<linli_records::WriteError> for OfficeError {
    fn from(e: linli_records::WriteError) -> Self {
        OfficeError::Import(e.to_string())
    }
}
