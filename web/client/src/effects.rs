//! What the worker must do after a call into the [`Device`](crate::Device):
//! store chunks and confirmed heads first, then send frames.

use automerge::ChangeHash;
use linli_protocol::{DocumentId, Message};

/// The I/O one call asks of its driver, in the order it must happen.
#[derive(Debug, Default)]
pub struct Effects {
    /// Chunks to append to a document's stored chunks (IndexedDB), before
    /// any frame is sent.
    pub store: Vec<(DocumentId, Vec<u8>)>,
    /// Heads the relay now confirms, per document, to keep with its chunks
    /// so "saved on the relay" survives a reload.
    pub confirmed: Vec<(DocumentId, Vec<ChangeHash>)>,
    /// Encoded messages for the relay, after the stores above completed.
    pub frames: Vec<Vec<u8>>,
    /// What a person sees may have changed: redraw.
    pub changed: bool,
    /// Messages the relay sent that could not be taken (reported, not fatal).
    pub problems: Vec<String>,
}

impl Effects {
    pub(crate) fn store(&mut self, doc: DocumentId, chunk: Vec<u8>) {
        self.store.push((doc, chunk));
    }

    pub(crate) fn confirm(&mut self, doc: DocumentId, heads: &[ChangeHash]) {
        self.confirmed.retain(|(d, _)| *d != doc);
        self.confirmed.push((doc, heads.to_vec()));
    }

    pub(crate) fn send(&mut self, messages: impl IntoIterator<Item = Message>) {
        self.frames.extend(messages.into_iter().map(|m| m.encode()));
    }

    /// Adds `later`'s effects after these.
    pub fn extend(&mut self, later: Effects) {
        self.store.extend(later.store);
        for (doc, heads) in later.confirmed {
            self.confirm(doc, &heads);
        }
        self.frames.extend(later.frames);
        self.changed |= later.changed;
        self.problems.extend(later.problems);
    }
}
