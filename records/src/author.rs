//! Who made a change, said for people. linli devices sign every change
//! with the person id of whoever uses them (automerge's change message);
//! the actor id says which device. Both come from other devices, so what
//! is shown from them is stripped of control characters first.

/// `s` without control characters: for text another device wrote (an
/// author's name, say), which must not drive a terminal or break a line.
pub fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Who made a change: the author it carries (the person id its device
/// signs with), then the device: this one, or the first `actor_chars` of
/// another's actor id (hex). E.g. `head-wang (device 0a1b2c3d)`.
pub fn who_wrote(
    author: Option<&str>,
    this_device: bool,
    actor: &str,
    actor_chars: usize,
) -> String {
    let device = if this_device {
        "this device".to_owned()
    } else {
        let short: String = actor.chars().take(actor_chars).collect();
        format!("device {short}")
    };
    match author.map(printable) {
        Some(person) if !person.is_empty() => format!("{person} ({device})"),
        _ => device,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_other_devices_cannot_drive_the_terminal() {
        assert_eq!(printable("王\u{1b}[2J芳\r\n"), "王[2J芳");
    }

    #[test]
    fn the_author_comes_first_then_the_device() {
        assert_eq!(
            who_wrote(Some("head-wang"), false, "0a1b2c3d4e", 4),
            "head-wang (device 0a1b)"
        );
        assert_eq!(who_wrote(None, true, "0a1b", 4), "this device");
        assert_eq!(who_wrote(Some("\u{7}"), false, "ab", 8), "device ab");
    }
}
