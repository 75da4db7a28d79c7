//! The strings a learner copies out of the share panel: LinkedIn URLs, the credential
//! number, embed code and the e-mail signature. Built here, on the server, from plain
//! data; every piece of learner or issuer text goes through [`esc`] (HTML) or
//! `url::form_urlencoded` (URLs), and the tests feed them `<script>`, quotes, `&`,
//! emoji and right-to-left text.
//!
//! The HTML is written as well-formed XHTML-compatible markup (quoted attributes, `/>`
//! on void elements, only the five predefined entities) so mail clients, sanitizers and
//! our tests' XML parser all read it the same way.

use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};

use crate::server::urls::{self, Source, with_source};

/// One badge as the snippets need it.
#[derive(Debug, Clone)]
pub struct Card {
    /// The credential's public id (`/c/{id}`).
    pub public_id: uuid::Uuid,
    pub name: String,
    pub issuer: String,
    /// The institution's LinkedIn organization id (digits), if it has one.
    pub linkedin_org_id: Option<String>,
    /// The badge image, absolute.
    pub image_url: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no place in a snippet (they break some editors).
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The short, stable, human-readable credential number LinkedIn shows (`certId`):
/// `BF-` and ten characters of Crockford base32 (no I, L, O, U) of the SHA-256 of the
/// public id. Readable over the phone, never a `urn:uuid`.
pub fn cert_id(public_id: uuid::Uuid) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let digest = Sha256::digest(public_id.as_bytes());
    let mut bits: u64 = 0;
    for b in digest.iter().take(8) {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut out = String::from("BF-");
    for i in 0..10 {
        let idx = usize::try_from((bits >> (59 - 5 * i)) & 31).unwrap_or_default();
        out.push(char::from(ALPHABET[idx]));
    }
    out
}

/// LinkedIn's "Add to profile" (certification) URL; every parameter form-encoded,
/// months 1–12 in UTC, `organizationId` when the institution has one, else
/// `organizationName`.
pub fn linkedin_add_url(base: &str, card: &Card) -> String {
    let mut url = url::Url::parse("https://www.linkedin.com/profile/add")
        .unwrap_or_else(|_| unreachable!("a constant URL parses"));
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("startTask", "CERTIFICATION_NAME");
        q.append_pair("name", &card.name);
        match card.linkedin_org_id.as_deref().filter(|s| !s.is_empty()) {
            Some(id) => q.append_pair("organizationId", id),
            None => q.append_pair("organizationName", &card.issuer),
        };
        q.append_pair("issueYear", &card.issued_at.year().to_string());
        q.append_pair("issueMonth", &card.issued_at.month().to_string());
        if let Some(e) = card.expires_at {
            q.append_pair("expirationYear", &e.year().to_string());
            q.append_pair("expirationMonth", &e.month().to_string());
        }
        q.append_pair(
            "certUrl",
            &with_source(
                &urls::credential_url(base, card.public_id),
                Source::LinkedIn,
            ),
        );
        q.append_pair("certId", &cert_id(card.public_id));
    }
    url.into()
}

/// LinkedIn's "Share" (share-offsite) URL: only `url`, the permanent page marked as
/// coming from LinkedIn.
pub fn linkedin_share_url(base: &str, public_id: uuid::Uuid) -> String {
    let mut url = url::Url::parse("https://www.linkedin.com/sharing/share-offsite/")
        .unwrap_or_else(|_| unreachable!("a constant URL parses"));
    url.query_pairs_mut().append_pair(
        "url",
        &with_source(&urls::credential_url(base, public_id), Source::LinkedIn),
    );
    url.into()
}

/// The alt text of a badge image: reads well when images are blocked.
pub fn alt_text(card: &Card) -> String {
    format!("{} badge from {}", card.name, card.issuer)
}

/// `<iframe>` code for the embed card (`/embed/c/{id}?src=embed`).
pub fn embed_iframe(base: &str, card: &Card) -> String {
    let src = with_source(
        &urls::credential_embed_url(base, card.public_id),
        Source::Embed,
    );
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"360\" height=\"440\" style=\"border:0;max-width:100%;\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\"></iframe>",
        esc(&src),
        esc(&alt_text(card)),
    )
}

/// The plain link oEmbed-aware tools turn into a card.
pub fn embed_link(base: &str, card: &Card) -> String {
    with_source(&urls::credential_url(base, card.public_id), Source::Embed)
}

/// An image and a link, for editors and sanitizers that strip iframes and styles.
pub fn embed_image(base: &str, card: &Card) -> String {
    let href = esc(&embed_link(base, card));
    format!(
        "<p><a href=\"{href}\"><img src=\"{}\" alt=\"{}\" width=\"120\" height=\"120\" /></a><br /><a href=\"{href}\"><strong dir=\"auto\">{}</strong></a><br /><span dir=\"auto\">{}</span> · <a href=\"{href}\">Verify</a></p>",
        esc(&card.image_url),
        esc(&alt_text(card)),
        esc(&card.name),
        esc(&card.issuer),
    )
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "March 2026" (UTC).
pub fn month_year(t: DateTime<Utc>) -> String {
    let m = MONTHS
        .get(usize::try_from(t.month0()).unwrap_or_default())
        .copied()
        .unwrap_or_default();
    format!("{m} {}", t.year())
}

/// The most badges in one signature row.
pub const SIGNATURE_ROW_MAX: usize = 4;

/// The e-mail signature for one badge or a row of up to four: a table with inline
/// styles (`cellpadding`/`cellspacing` 0, no `div`), the hosted 2× PNG shown at 48×48
/// with explicit width and height, alt text, badge name, issuer, month and year, and a
/// "Verify" link marked `src=email`; and its plain-text twin.
pub fn signature(base: &str, cards: &[Card]) -> (String, String) {
    let cards = &cards[..cards.len().min(SIGNATURE_ROW_MAX)];
    let mut html = String::from(
        "<table cellpadding=\"0\" cellspacing=\"0\" border=\"0\" role=\"presentation\" style=\"border-collapse:collapse;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:16px;color:#333333;\"><tr>",
    );
    let mut text = String::new();
    for (i, card) in cards.iter().enumerate() {
        let page = urls::credential_url(base, card.public_id);
        let verify = esc(&with_source(&page, Source::Email));
        let image = esc(&urls::page_file(&page, "signature.png"));
        let gap = if i + 1 < cards.len() {
            "padding:0 16px 0 0;"
        } else {
            "padding:0;"
        };
        html.push_str(&format!(
            "<td style=\"padding:0 8px 0 0;vertical-align:middle;\"><a href=\"{verify}\" style=\"text-decoration:none;\"><img src=\"{image}\" width=\"48\" height=\"48\" alt=\"{alt}\" style=\"display:block;border:0;width:48px;height:48px;\" /></a></td>\
<td style=\"{gap}vertical-align:middle;\"><a href=\"{verify}\" style=\"color:#1a4d8f;font-weight:bold;text-decoration:none;\" dir=\"auto\">{name}</a><br /><span style=\"color:#555555;\" dir=\"auto\">{issuer}</span><br /><span style=\"color:#555555;\">{when}</span> <a href=\"{verify}\" style=\"color:#1a4d8f;font-size:11px;\">Verify</a></td>",
            alt = esc(&alt_text(card)),
            name = esc(&card.name),
            issuer = esc(&card.issuer),
            when = esc(&month_year(card.issued_at)),
        ));
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!(
            "{} · {}, {}\nVerify: {}\n",
            card.name,
            card.issuer,
            month_year(card.issued_at),
            with_source(&page, Source::Email)
        ));
    }
    html.push_str("</tr></table>");
    (html, text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;

    const BASE: &str = "https://badges.example.edu";
    const NASTY: &str = "<script>alert(\"x\")</script> & 'quotes' 🎓 مرحبا עברית";

    fn card(name: &str, issuer: &str) -> Card {
        Card {
            public_id: uuid::Uuid::parse_str("6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6").unwrap(),
            name: name.into(),
            issuer: issuer.into(),
            linkedin_org_id: None,
            image_url: format!("{BASE}/images/abc"),
            issued_at: Utc.with_ymd_and_hms(2026, 1, 31, 23, 30, 0).unwrap(),
            expires_at: Some(Utc.with_ymd_and_hms(2028, 12, 1, 0, 0, 0).unwrap()),
        }
    }

    /// Parses a snippet back (it is well-formed markup) and returns every text node and
    /// attribute value, unescaped.
    fn parse(html: &str) -> (Vec<String>, Vec<(String, String, String)>) {
        let doc = format!("<root>{html}</root>");
        let tree = roxmltree::Document::parse(&doc).unwrap_or_else(|e| panic!("{e}: {html}"));
        let mut texts = Vec::new();
        let mut attrs = Vec::new();
        for n in tree.descendants() {
            if n.is_text() {
                texts.push(n.text().unwrap_or_default().to_string());
            }
            if n.is_element() {
                for a in n.attributes() {
                    attrs.push((
                        n.tag_name().name().to_string(),
                        a.name().to_string(),
                        a.value().to_string(),
                    ));
                }
            }
        }
        (texts, attrs)
    }

    fn elements(html: &str) -> Vec<String> {
        let doc = format!("<root>{html}</root>");
        let tree = roxmltree::Document::parse(&doc).unwrap();
        tree.descendants()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name().to_string())
            .collect()
    }

    #[test]
    fn escaping_covers_markup_quotes_and_keeps_unicode() {
        assert_eq!(
            esc(NASTY),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; 🎓 مرحبا עברית"
        );
        assert_eq!(esc("a\u{0}b\u{7}c"), "abc");
    }

    #[test]
    fn signature_escapes_names_and_parses_back_intact() {
        let c = card(NASTY, NASTY);
        let (html, text) = signature(BASE, std::slice::from_ref(&c));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.to_lowercase().contains("<div"), "{html}");
        let (texts, attrs) = parse(&html);
        assert!(texts.iter().any(|t| t == NASTY), "{texts:?}");
        let alt = attrs
            .iter()
            .find(|(t, a, _)| t == "img" && a == "alt")
            .unwrap();
        assert_eq!(alt.2, format!("{NASTY} badge from {NASTY}"));
        let get = |tag: &str, name: &str| -> Vec<String> {
            attrs
                .iter()
                .filter(|(t, a, _)| t == tag && a == name)
                .map(|x| x.2.clone())
                .collect()
        };
        assert_eq!(get("table", "cellpadding"), ["0"]);
        assert_eq!(get("table", "cellspacing"), ["0"]);
        assert_eq!(get("img", "width"), ["48"]);
        assert_eq!(get("img", "height"), ["48"]);
        assert_eq!(
            get("img", "src"),
            [format!("{BASE}/c/{}/signature.png", c.public_id)]
        );
        for href in get("a", "href") {
            assert_eq!(href, format!("{BASE}/c/{}?src=email", c.public_id));
        }
        assert!(texts.iter().any(|t| t == "Verify"));
        assert!(texts.iter().any(|t| t == "January 2026"), "{texts:?}");
        // Every style is inline: no <style> element, no class.
        assert!(!elements(&html).iter().any(|e| e == "style" || e == "div"));
        assert!(!attrs.iter().any(|(_, a, _)| a == "class"));
        // The plain text is the names as they are.
        assert!(text.starts_with(&format!("{NASTY} · {NASTY}, January 2026\n")));
        assert!(text.contains(&format!("Verify: {BASE}/c/{}?src=email", c.public_id)));
    }

    #[test]
    fn a_signature_row_holds_at_most_four_and_stays_well_under_gmails_limit() {
        let long = format!(
            "{}&<>\"'",
            "Ünïcødé badge name with a long title ".repeat(5)
        );
        let cards: Vec<Card> = (0..6).map(|_| card(&long, &long)).collect();
        let (html, _) = signature(BASE, &cards);
        assert_eq!(elements(&html).iter().filter(|e| *e == "img").count(), 4);
        assert!(html.len() < 10_000, "{} bytes", html.len());
        let (one, _) = signature(BASE, &cards[..1]);
        assert!(one.len() < 4_000, "{} bytes", one.len());
    }

    #[test]
    fn embeds_escape_and_parse_back() {
        let c = card(NASTY, NASTY);
        let iframe = embed_iframe(BASE, &c);
        let (_, attrs) = parse(&iframe);
        let title = attrs.iter().find(|(_, a, _)| a == "title").unwrap();
        assert_eq!(title.2, format!("{NASTY} badge from {NASTY}"));
        let src = attrs.iter().find(|(_, a, _)| a == "src").unwrap();
        assert_eq!(src.2, format!("{BASE}/embed/c/{}?src=embed", c.public_id));
        assert!(!iframe.contains("<script"));

        let img = embed_image(BASE, &c);
        assert!(!img.contains("<script"));
        assert!(
            !elements(&img)
                .iter()
                .any(|e| e == "iframe" || e == "script")
        );
        let (texts, attrs) = parse(&img);
        assert!(
            texts.iter().filter(|t| *t == NASTY).count() >= 2,
            "{texts:?}"
        );
        assert!(
            attrs
                .iter()
                .any(|(t, a, v)| t == "img" && a == "src" && v == &c.image_url)
        );
        assert_eq!(
            embed_link(BASE, &c),
            format!("{BASE}/c/{}?src=embed", c.public_id)
        );
    }

    #[test]
    fn linkedin_add_url_parses_back_to_the_exact_parameters() {
        for name in ["R&D #1: what? yes=no", NASTY, "100% + more / less"] {
            let c = card(name, "Smith & Wesson #2? Institute");
            let url = url::Url::parse(&linkedin_add_url(BASE, &c)).unwrap();
            assert_eq!(url.host_str(), Some("www.linkedin.com"));
            assert_eq!(url.path(), "/profile/add");
            assert_eq!(url.fragment(), None, "a # must not start a fragment");
            let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
            assert_eq!(q.len(), 9, "{q:?}");
            assert_eq!(q["startTask"], "CERTIFICATION_NAME");
            assert_eq!(q["name"], name);
            assert_eq!(q["organizationName"], "Smith & Wesson #2? Institute");
            assert!(!q.contains_key("organizationId"));
            // 23:30 UTC on 31 January stays January.
            assert_eq!(q["issueYear"], "2026");
            assert_eq!(q["issueMonth"], "1");
            assert_eq!(q["expirationYear"], "2028");
            assert_eq!(q["expirationMonth"], "12");
            assert_eq!(
                q["certUrl"],
                format!("{BASE}/c/{}?src=linkedin", c.public_id)
            );
            assert_eq!(q["certId"], cert_id(c.public_id));
        }
        let mut c = card("Data", "North");
        c.linkedin_org_id = Some("12345".into());
        c.expires_at = None;
        let url = url::Url::parse(&linkedin_add_url(BASE, &c)).unwrap();
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["organizationId"], "12345");
        assert!(!q.contains_key("organizationName"));
        assert!(!q.contains_key("expirationYear") && !q.contains_key("expirationMonth"));
    }

    #[test]
    fn linkedin_share_url_carries_only_the_page() {
        let c = card("x", "y");
        let url = url::Url::parse(&linkedin_share_url(BASE, c.public_id)).unwrap();
        assert_eq!(url.path(), "/sharing/share-offsite/");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            [(
                "url".to_string(),
                format!("{BASE}/c/{}?src=linkedin", c.public_id)
            )]
        );
    }

    #[test]
    fn cert_ids_are_short_stable_and_distinct() {
        let a = uuid::Uuid::parse_str("6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c6").unwrap();
        let b = uuid::Uuid::parse_str("6f1c2a9e-3b4d-4c5e-8f60-718293a4b5c7").unwrap();
        assert_eq!(cert_id(a), cert_id(a));
        assert_ne!(cert_id(a), cert_id(b));
        let id = cert_id(a);
        assert_eq!(id.len(), 13);
        assert!(id.starts_with("BF-"));
        assert!(
            id[3..]
                .bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert!(!id[3..].contains(['I', 'L', 'O', 'U']));
        assert!(!id.contains("urn"));
    }
}
