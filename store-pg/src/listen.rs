//! Hearing what other hub processes store: `LISTEN` on a connection of its
//! own (a pooled connection cannot listen: it is handed to others).
//!
//! The listener reconnects by itself, with backoff. Notices sent while it
//! was not connected are lost, so after every (re)connection it reports
//! [`Notice::Listening`]: whoever consumes notices then refreshes what they
//! would otherwise have learnt from them.

use std::time::Duration;

use futures::StreamExt;
use linli_protocol::DocumentId;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::{ADMIN_CHANNEL, CHUNKS_CHANNEL, PgStore};

/// Longest wait between two connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What the listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// (Re)connected and listening: anything may have changed meanwhile.
    Listening,
    /// New chunks of this document were committed by another handle
    /// (another hub process, or the admin CLI).
    Chunks(DocumentId),
    /// Tokens or store-wide settings changed (the payload says which).
    Admin(String),
}

/// Notices from the database, until dropped.
pub struct ChangeListener {
    rx: mpsc::UnboundedReceiver<Notice>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ChangeListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ChangeListener {
    /// Starts listening on `store`'s database (on the current tokio
    /// runtime).
    pub fn start(store: &PgStore) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let config = store.config.clone();
        let own = store.instance.clone();
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                match listen(&config, &own, &tx).await {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "PostgreSQL change listener lost its connection; reconnecting");
                    }
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        });
        ChangeListener { rx, task }
    }

    /// The next notice; `None` once the listener has stopped.
    pub async fn recv(&mut self) -> Option<Notice> {
        self.rx.recv().await
    }
}

/// One connection's life: `Ok` when nobody listens any more, an error
/// (to reconnect) when the connection failed or ended.
async fn listen(
    config: &tokio_postgres::Config,
    own: &str,
    tx: &mpsc::UnboundedSender<Notice>,
) -> Result<(), String> {
    let (client, mut connection) = config.connect(NoTls).await.map_err(|e| e.to_string())?;
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            let sent = match message {
                Ok(AsyncMessage::Notification(n)) => msg_tx.send(Ok(n)),
                Ok(_) => Ok(()),
                Err(e) => msg_tx.send(Err(e.to_string())),
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = msg_tx.send(Err("the server closed the connection".to_owned()));
    });
    let heard = hear(&client, own, &mut msg_rx, tx).await;
    driver.abort();
    heard
}

/// Listens on `client` and forwards what `messages` brings.
async fn hear(
    client: &tokio_postgres::Client,
    own: &str,
    messages: &mut mpsc::UnboundedReceiver<Result<tokio_postgres::Notification, String>>,
    tx: &mpsc::UnboundedSender<Notice>,
) -> Result<(), String> {
    client
        .batch_execute(&format!("LISTEN {CHUNKS_CHANNEL}; LISTEN {ADMIN_CHANNEL};"))
        .await
        .map_err(|e| e.to_string())?;
    if tx.send(Notice::Listening).is_err() {
        return Ok(());
    }
    while let Some(message) = messages.recv().await {
        let n = message?;
        let notice = if n.channel() == CHUNKS_CHANNEL {
            let (doc, writer) = n.payload().split_once(' ').unwrap_or((n.payload(), ""));
            if writer == own {
                continue;
            }
            match DocumentId::parse_id_or_url(doc) {
                Ok(doc) => Notice::Chunks(doc),
                Err(_) => continue,
            }
        } else {
            Notice::Admin(n.payload().to_owned())
        };
        if tx.send(notice).is_err() {
            return Ok(());
        }
    }
    Err("the connection's driver stopped".to_owned())
}
