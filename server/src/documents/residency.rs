//! Which documents are loaded, what memory each holds, which are idle and
//! in what order they went idle: the bookkeeping of the memory budget,
//! without tasks or channels (`T` is whatever routes commands to a
//! document; the registry's channel sender, or `()` in tests).
//!
//! A document is idle when its task said so (no peer attached) with no
//! command queued for it, and stays idle until the next command is routed
//! to it. Only idle documents are evicted, least recently used first, so a
//! document a peer is syncing is never taken from under it. The registry
//! calls every method under its one lock, so "idle" can never hide a
//! queued command.

use std::collections::HashMap;

use linli_protocol::DocumentId;

/// One loaded document.
struct Entry<T> {
    route: T,
    bytes: u64,
    /// When it last went idle (a tick of [`Residency::clock`]); `None`
    /// while it is in use.
    idle_since: Option<u64>,
    /// Whether it was already reported as larger than the whole budget.
    over_budget: bool,
}

/// What a report changed.
pub struct Reported<T> {
    /// Documents taken out to bring memory back within the budget, with
    /// their routes: tell each task to end.
    pub evicted: Vec<(DocumentId, T)>,
    /// The reporting document just became larger than the whole budget.
    pub over_budget: bool,
}

/// The loaded documents and the memory they hold, against a budget.
pub struct Residency<T> {
    entries: HashMap<DocumentId, Entry<T>>,
    budget: u64,
    total: u64,
    clock: u64,
}

impl<T> Residency<T> {
    /// Nothing loaded; documents may hold `budget` bytes together.
    pub fn new(budget: u64) -> Self {
        Self {
            entries: HashMap::new(),
            budget,
            total: 0,
            clock: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The loaded documents.
    pub fn ids(&self) -> Vec<DocumentId> {
        self.entries.keys().copied().collect()
    }

    /// Bytes all loaded documents hold together.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn budget(&self) -> u64 {
        self.budget
    }

    /// The route to `doc`, marking it in use: a command is about to be
    /// queued for it.
    pub fn route(&mut self, doc: &DocumentId) -> Option<&T> {
        let entry = self.entries.get_mut(doc)?;
        entry.idle_since = None;
        Some(&entry.route)
    }

    /// A document being loaded, in use, holding nothing yet.
    pub fn insert(&mut self, doc: DocumentId, route: T) {
        self.remove(&doc);
        self.entries.insert(
            doc,
            Entry {
                route,
                bytes: 0,
                idle_since: None,
                over_budget: false,
            },
        );
    }

    /// Takes `doc` out (its task ended or is ending).
    pub fn remove(&mut self, doc: &DocumentId) -> Option<T> {
        let entry = self.entries.remove(doc)?;
        self.total = self.total.saturating_sub(entry.bytes);
        Some(entry.route)
    }

    /// `doc` now holds `bytes` and is `idle` or not; if memory is over the
    /// budget, the least recently used idle documents (never `doc` while in
    /// use) are taken out until it is within.
    pub fn report(&mut self, doc: &DocumentId, bytes: u64, idle: bool) -> Reported<T> {
        let mut over_budget = false;
        if let Some(entry) = self.entries.get_mut(doc) {
            self.total = self.total.saturating_sub(entry.bytes).saturating_add(bytes);
            entry.bytes = bytes;
            if !idle {
                entry.idle_since = None;
            } else if entry.idle_since.is_none() {
                self.clock += 1;
                entry.idle_since = Some(self.clock);
            }
            over_budget = bytes > self.budget && !entry.over_budget;
            entry.over_budget = bytes > self.budget;
        }
        Reported {
            evicted: self.evict_over_budget(),
            over_budget,
        }
    }

    fn evict_over_budget(&mut self) -> Vec<(DocumentId, T)> {
        if self.total <= self.budget {
            return Vec::new();
        }
        let mut idle: Vec<(u64, DocumentId)> = self
            .entries
            .iter()
            .filter_map(|(id, e)| e.idle_since.map(|t| (t, *id)))
            .collect();
        idle.sort_unstable();
        let mut evicted = Vec::new();
        for (_, id) in idle {
            if self.total <= self.budget {
                break;
            }
            if let Some(route) = self.remove(&id) {
                evicted.push((id, route));
            }
        }
        evicted
    }

    /// Takes every document out.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.total = 0;
        self.entries.drain().map(|(_, e)| e.route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<DocumentId> {
        (0..n)
            .map(|_| DocumentId::random(&mut rand::rng()))
            .collect()
    }

    fn evicted(r: Reported<()>) -> Vec<DocumentId> {
        r.evicted.into_iter().map(|(id, ())| id).collect()
    }

    #[test]
    fn over_budget_the_least_recently_used_idle_documents_go_first() {
        let d = ids(4);
        let mut r = Residency::new(300);
        for id in &d {
            r.insert(*id, ());
        }
        // Idle in the order 2, 0, 1; 3 is in use.
        assert!(evicted(r.report(&d[2], 100, true)).is_empty());
        assert!(evicted(r.report(&d[0], 100, true)).is_empty());
        assert!(evicted(r.report(&d[1], 100, true)).is_empty());
        assert_eq!(r.total(), 300);
        // 3 grows the total to 450: 2 then 0 go, and 1 stays.
        assert_eq!(evicted(r.report(&d[3], 150, false)), vec![d[2], d[0]]);
        assert_eq!(r.total(), 250);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn a_document_in_use_is_never_evicted_even_over_budget() {
        let d = ids(2);
        let mut r = Residency::new(100);
        r.insert(d[0], ());
        r.insert(d[1], ());
        assert!(evicted(r.report(&d[0], 80, false)).is_empty());
        assert!(evicted(r.report(&d[1], 80, false)).is_empty());
        assert_eq!(r.total(), 160, "over budget, but nothing idle");
        // A command routed to an idle document puts it back in use.
        r.report(&d[1], 10, false);
        assert!(evicted(r.report(&d[0], 80, true)).is_empty());
        r.route(&d[0]);
        assert!(evicted(r.report(&d[1], 90, false)).is_empty());
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn using_a_document_again_makes_it_the_most_recently_used() {
        let d = ids(3);
        let mut r = Residency::new(250);
        for id in &d {
            r.insert(*id, ());
            r.report(id, 100, true);
        }
        // Three idle documents of 100 in a budget of 250: the first went.
        assert_eq!(r.len(), 2);
        assert!(r.route(&d[0]).is_none());
        // 1 is used again and goes idle after 2: 2 is now the oldest.
        r.route(&d[1]);
        r.report(&d[1], 100, true);
        r.insert(d[0], ());
        assert_eq!(evicted(r.report(&d[0], 100, false)), vec![d[2]]);
    }

    #[test]
    fn a_document_larger_than_the_budget_is_told_once_and_kept_while_in_use() {
        let d = ids(1);
        let mut r = Residency::new(100);
        r.insert(d[0], ());
        assert!(r.report(&d[0], 500, false).over_budget);
        assert!(!r.report(&d[0], 600, false).over_budget, "told once");
        assert_eq!(r.len(), 1);
        // Once idle it is the first to go.
        let gone = r.report(&d[0], 600, true);
        assert_eq!(evicted(gone), vec![d[0]]);
        assert_eq!(r.total(), 0);
    }
}
