//! The field app's sign-in link: `URL/#token=…&directory=automerge:…&as=…`.
//!
//! The street office makes a token and hands it to a building head or a
//! volunteer as this link (or its QR code). Opening it on a phone signs the
//! app in: the app (served by the relay at `/`) reads the fragment, keeps
//! the token, the street's directory and the person id the device writes
//! as, and removes the fragment from the address bar. Everything rides in
//! the fragment because a browser never sends a fragment to any server, so
//! the token never reaches a relay's or a proxy's log.
//!
//! [`terminal_qr`] draws the link as a QR code with Unicode half blocks,
//! for the office to show on its screen and the phone's camera to read.
//!
//! Each value is percent-encoded, as the app's `URLSearchParams` expects:
//! everything but letters, digits and `-._~:` (the colon keeps
//! `automerge:…` readable), so a space is `%20`, never `+`.

use linli_protocol::DocumentId;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// Characters left as they are in a fragment value.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// Why no link could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    #[error(
        "--public-url {url:?} is not where people open the app: {reason} \
         (give the relay's address as phones reach it, e.g. https://linli.example.org)"
    )]
    BadPublicUrl { url: String, reason: &'static str },
    #[error("the person id (--person, or the token's --name) is empty")]
    NoPerson,
}

/// The sign-in link for `token` on the relay whose app is at `public_url`,
/// for the street whose directory is `directory`, signing as `person`.
pub fn sign_in_link(
    public_url: &str,
    token: &str,
    directory: &DocumentId,
    person: &str,
) -> Result<String, LinkError> {
    let base = app_url(public_url)?;
    if person.trim().is_empty() {
        return Err(LinkError::NoPerson);
    }
    Ok(format!(
        "{base}#token={}&directory={}&as={}",
        encode(token),
        encode(&directory.url()),
        encode(person)
    ))
}

/// `public_url` as the app's address: http(s) with a host, any fragment
/// dropped, ending in `/` (the app is served at the path's root). Checked
/// before a token is made, so a mistyped URL makes no token.
pub fn app_url(public_url: &str) -> Result<String, LinkError> {
    let bad = |reason| LinkError::BadPublicUrl {
        url: public_url.to_owned(),
        reason,
    };
    let url = public_url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("it must start with https:// or http://"))?;
    if rest.split(['/', '?']).next().unwrap_or_default().is_empty() {
        return Err(bad("it has no host"));
    }
    if url.contains('?') {
        return Err(bad("it must not have a query"));
    }
    if url.ends_with('/') {
        Ok(url.to_owned())
    } else {
        Ok(format!("{url}/"))
    }
}

/// `link` as a QR code drawn in text, two modules per character cell, with
/// its quiet zone. It is drawn for a dark terminal (light text on dark):
/// the light modules are the printed blocks, so the code shows dark on
/// light, as cameras read it best. Error correction M survives the glare
/// of a photographed screen. `None` if the link is too long for a QR code.
pub fn terminal_qr(link: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// `link` as a QR code in SVG, for the office page that shows a new
/// token's sign-in link once. Same error correction as [`terminal_qr`].
/// `None` if the link is too long for a QR code.
pub fn svg_qr(link: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
    )
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> DocumentId {
        DocumentId::random(&mut rand::rng())
    }

    #[test]
    fn the_link_carries_token_directory_and_person_in_the_fragment() {
        let dir = directory();
        let link =
            sign_in_link("https://linli.example.org", "linli_abc", &dir, "head-wang").unwrap();
        assert_eq!(
            link,
            format!(
                "https://linli.example.org/#token=linli_abc&directory={}&as=head-wang",
                dir.url()
            )
        );
    }

    #[test]
    fn values_are_percent_encoded_and_a_path_is_kept() {
        let dir = directory();
        let link = sign_in_link(
            "http://10.0.0.5:7171/linli/#old",
            "t",
            &dir,
            "王 阿姨+1&x=y",
        )
        .unwrap();
        assert!(
            link.starts_with("http://10.0.0.5:7171/linli/#token=t&"),
            "{link}"
        );
        assert!(
            link.ends_with("&as=%E7%8E%8B%20%E9%98%BF%E5%A7%A8%2B1%26x%3Dy"),
            "{link}"
        );
    }

    /// Reads a QR code drawn by [`terminal_qr`] the way a phone's camera
    /// sees it: a printed half block is light, a blank one dark.
    fn scan(drawn: &str) -> String {
        const PX: usize = 4;
        let rows: Vec<Vec<char>> = drawn.lines().map(|l| l.chars().collect()).collect();
        let width = rows.iter().map(Vec::len).max().unwrap();
        let lit = |x: usize, y: usize| {
            let c = rows[y / 2].get(x).copied().unwrap_or(' ');
            match (c, y % 2) {
                ('█', _) | ('▀', 0) | ('▄', 1) => 255,
                _ => 0,
            }
        };
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width * PX, rows.len() * 2 * PX, |x, y| {
                lit(x / PX, y / PX)
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the drawing");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_terminal_qr_code_scans_as_the_link() {
        let dir = directory();
        let link = sign_in_link(
            "http://192.168.1.20:7171",
            "linli_abcDEF123",
            &dir,
            "王 阿姨",
        )
        .unwrap();
        assert_eq!(scan(&terminal_qr(&link).unwrap()), link);
    }

    #[test]
    fn a_long_link_still_fits_an_80_column_terminal() {
        let dir = directory();
        let token = format!("linli_{}", "x".repeat(44));
        let link = sign_in_link(
            "https://linli.example.org/street",
            &token,
            &dir,
            "head-wang-0103",
        )
        .unwrap();
        let qr = terminal_qr(&link).unwrap();
        let width = qr.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(width <= 80, "{width} columns");
        assert_eq!(terminal_qr(&"x".repeat(5000)), None);
    }

    #[test]
    fn a_public_url_that_is_no_web_address_is_refused() {
        let dir = directory();
        for url in [
            "ws://relay:7171/sync",
            "relay.example.org",
            "https://",
            "https://x/?a=1",
        ] {
            assert!(
                matches!(
                    sign_in_link(url, "t", &dir, "p"),
                    Err(LinkError::BadPublicUrl { .. })
                ),
                "{url}"
            );
        }
        assert_eq!(
            sign_in_link("https://x", "t", &dir, " "),
            Err(LinkError::NoPerson)
        );
    }
}
