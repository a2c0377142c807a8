//! `POST /api/office/import`: a street admin imports `residents.csv` or
//! `volunteers.csv` from the office page. The import is the CLI's own
//! ([`linli_records::import_csv::run_import`]: the same checks, the same
//! report, idempotent); the relay writes it into its live documents, each
//! change stored with the admin token's name in the audit log and offered
//! to the devices syncing that document, exactly like a device's change.

use std::any::Any;

use automerge::transaction::{CommitOptions, Transaction};
use linli_protocol::DocumentId;
use linli_records::WriteError;
use linli_records::ids::DocUrl;
use linli_records::import_csv::ImportDocs;
use tokio::sync::oneshot;

use super::OfficeError;
use crate::doc_actor::{DocCommand, LocalEdit};
use crate::documents::DocRegistry;

/// The relay's live documents, for an import run on a blocking thread.
pub struct RelayDocs {
    pub docs: DocRegistry,
    /// The admin token's name: in the audit log and as the changes' author.
    pub token: String,
    pub runtime: tokio::runtime::Handle,
}

impl ImportDocs for RelayDocs {
    type Error = OfficeError;

    fn edit<R, F>(
        &mut self,
        url: Option<&DocUrl>,
        what: &str,
        edit: F,
    ) -> Result<(DocUrl, R), OfficeError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Transaction<'_>) -> Result<R, WriteError> + Send + 'static,
    {
        let id = match url {
            Some(url) => DocumentId::parse_id_or_url(url.as_str())
                .map_err(|e| OfficeError::Import(format!("{what}: {e}")))?,
            None => DocumentId::random(&mut rand::rng()),
        };
        let author = self.token.clone();
        let run = move |doc: &mut automerge::Automerge| -> Result<Box<dyn Any + Send>, String> {
            let mut tx = doc.transaction();
            match edit(&mut tx) {
                Ok(answer) => {
                    let secs = crate::wall_clock_millis() / 1000;
                    tx.commit_with(
                        CommitOptions::default()
                            .with_message(author)
                            .with_time(secs),
                    );
                    Ok(Box::new(answer))
                }
                Err(e) => {
                    tx.rollback();
                    Err(e.to_string())
                }
            }
        };
        let (reply, answer) = oneshot::channel();
        self.docs.send(
            id,
            DocCommand::Edit {
                token: self.token.clone(),
                edit: LocalEdit(Box::new(run)),
                reply,
            },
        );
        let answer = self
            .runtime
            .block_on(answer)
            .map_err(|_| OfficeError::Import(format!("{what}: the relay is stopping")))?
            .map_err(|e| OfficeError::Import(format!("{what}: {e}")))?;
        let answer = answer
            .downcast::<R>()
            .map_err(|_| OfficeError::Import(format!("{what}: unexpected answer")))?;
        let url = DocUrl::new(id.url()).map_err(|e| OfficeError::Import(e.to_string()))?;
        Ok((url, *answer))
    }
}
