//! How ids and hashes are written in the store's tables: the one place that
//! knows a document id is stored as its 16 raw bytes and a chunk by the hex
//! SHA-256 of its bytes.

use linli_protocol::DocumentId;
use rusqlite::types::Type;

use crate::ChunkHash;

pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    ChunkHash::of(bytes).as_hex().to_owned()
}

/// A document id as stored: its 16 raw bytes.
pub(crate) fn id_param(doc: &DocumentId) -> &[u8] {
    doc.as_bytes().as_slice()
}

/// A document id read back from a `doc_id` column.
pub(crate) fn id_from_blob(blob: &[u8]) -> rusqlite::Result<DocumentId> {
    <[u8; 16]>::try_from(blob)
        .map(DocumentId::from_bytes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Blob, Box::new(e)))
}
