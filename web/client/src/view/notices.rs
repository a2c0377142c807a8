//! Notices (通知公告) for this phone's person: those on the community
//! boards it holds that are for a building it holds (or for the whole
//! community), unread first, newest first.

use serde::Serialize;

use crate::device::Device;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct NoticeLine {
    pub id: String,
    pub title: String,
    pub body: String,
    pub by: String,
    pub at: i64,
    pub deadline: Option<i64>,
    pub community: String,
    /// When this person marked it read.
    pub read_at: Option<i64>,
    /// How many have marked it read.
    pub reads: usize,
}

pub fn notices(device: &Device) -> Vec<NoticeLine> {
    let dir = device.directory();
    let me = device.identity().person.clone();
    let mine: Vec<_> = device.buildings().map(|(_, b)| b.building.id).collect();
    let mut out = Vec::new();
    for (_, board) in device.boards() {
        let community = super::community_name(device, &board.board.community);
        for (id, n) in &board.notices {
            // A phone holding no building (a volunteer's) sees the
            // community's notices whole; a head's only those for her.
            let for_me = match &dir {
                Some(d) if !mine.is_empty() => n.is_for_any(&mine, d),
                _ => true,
            };
            if !for_me {
                continue;
            }
            out.push(NoticeLine {
                id: id.to_string(),
                title: n.title.clone(),
                body: n.body.clone(),
                by: n.by.to_string(),
                at: n.at,
                deadline: n.deadline,
                community: community.clone(),
                read_at: n.reads.get(&me).copied(),
                reads: n.reads.len(),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.read_at.is_some(), std::cmp::Reverse(a.at), &a.id).cmp(&(
            b.read_at.is_some(),
            std::cmp::Reverse(b.at),
            &b.id,
        ))
    });
    out
}
