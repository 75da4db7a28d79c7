//! The public pages as HTML text, made without Leptos (no WASM, no hydration): the badge
//! page, the share-link 410 page, the shared collection or stack, the embed card, the
//! printable certificate, and the oEmbed answer.
//!
//! Every piece of learner or issuer text goes through [`esc`] (content and attribute
//! values, meta tags included) or, inside the JSON-LD `<script>`, through [`json_ld`]
//! (which leaves no `<`, `>` or `&` that could end the script block). The only inline
//! script is the embed's height message ([`EMBED_SCRIPT`]), allowed by its hash; the
//! inline styles are allowed by theirs.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::resolve::{Badge, Card, Gone, Holder, Resolved, Shared};
use crate::model::portfolio::Mark;
use crate::server::urls::{self, Source, with_source};

/// Where the page is served and what it links.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The public URL of the site (no trailing slash).
    pub base: &'a str,
    /// The site's stylesheet `<link>`.
    pub stylesheet: &'a str,
}

/// Which baked images can be downloaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Downloads {
    pub png: bool,
    pub svg: bool,
}

/// The badge page's own styles (allowed by hash).
pub const PAGE_STYLE: &str = ".pb{max-width:52rem;margin:0 auto;padding:1.5rem 1rem}.pb-verdict{border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1.5rem;border:2px solid #15803d;background:#f0fdf4}.pb-verdict p{margin:.25rem 0}.pb-verdict .pb-head{font-size:1.25rem;font-weight:700}.pb-bad{border-color:#b01c1c;background:#fef2f2}.pb-warn{border-color:#b46a00;background:#fffbeb}.pb-unknown{border-color:#5f6368;background:#f3f4f6}.pb-top{display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap}.pb-top img{width:160px;height:160px;object-fit:contain}.pb-facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}.pb-facts dt{font-weight:600}.pb section{margin-top:1.5rem}.pb-cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:1rem}.pb-cards li{border:1px solid #d1d5db;border-radius:.5rem;padding:.75rem}.pb-cards img{width:64px;height:64px;object-fit:contain}.pb-note{color:#4b5563;font-size:.95rem}";

/// The embed card's styles (allowed by hash).
pub const EMBED_STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827;background:#fff}.c{display:flex;gap:12px;align-items:center;border:1px solid #d1d5db;border-radius:8px;padding:12px}.c img{width:72px;height:72px;object-fit:contain;flex:none}h1{font-size:16px;margin:0 0 2px}a{color:#1d4ed8}p{margin:0;color:#374151}.s{font-weight:700;margin-top:4px}.ok{color:#15803d}.bad{color:#b01c1c}.warn{color:#b46a00}.unknown{color:#5f6368}";

/// The embed card's one script: WordPress's height protocol. On load it posts
/// `{message: "height", value, secret}` to the embedding page, the secret being the one
/// WordPress put after `#?secret=` in the frame's address.
pub const EMBED_SCRIPT: &str = r#"(function(){var m=/[#&?]secret=([A-Za-z0-9]{1,64})/.exec(location.hash);var s=m?m[1]:"";function h(){if(window.parent!==window){window.parent.postMessage({message:"height",value:Math.ceil(document.documentElement.getBoundingClientRect().height),secret:s},"*")}}window.addEventListener("load",h)})();"#;

/// The certificate's styles for each paper size (allowed by hash).
pub const CERT_STYLE_A4: &str = "@page{size:A4;margin:12mm}";
pub const CERT_STYLE_LETTER: &str = "@page{size:letter;margin:12mm}";
pub const CERT_STYLE: &str = "body{margin:0;font-family:Georgia,'Times New Roman',serif;color:#111827;background:#f3f4f6}.cert{width:186mm;min-height:250mm;margin:10mm auto;background:#fff;border:6px double #1d4ed8;padding:16mm 14mm;text-align:center;box-sizing:border-box}.cert img{width:44mm;height:44mm;object-fit:contain}.cert h1{font-size:26pt;margin:6mm 0 2mm}.cert .who{font-size:22pt;margin:6mm 0}.cert p{font-size:12pt;margin:2mm 0}.cert .status{font-weight:700;margin-top:6mm}.cert .small{font-size:9pt;color:#4b5563;word-break:break-all}.cert .qr{width:30mm;height:30mm}.tools{text-align:center;font-family:system-ui,sans-serif;padding:4mm}@media print{body{background:#fff}.cert{margin:0 auto;border-color:#1d4ed8}.tools{display:none}}";

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/ld+json">` block: no `<`, `>` or `&` (nor the
/// line separators some parsers choke on) appear literally, so no text inside can end
/// the block; the JSON parses back to the same value.
pub fn json_ld(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A query-string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A date as people read it.
pub fn day(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y").to_string()
}

/// A moment as people read it (UTC).
pub fn moment(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// Paragraphs of plain text (blank lines part them; single newlines become breaks).
fn paragraphs(text: &str) -> String {
    let mut out = String::new();
    for p in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let _ = write!(out, "<p>{}</p>", esc(p).replace('\n', "<br>"));
    }
    out
}

/// The CSS class of a verdict box.
fn tone(mark: Mark) -> &'static str {
    match mark {
        Mark::Verified | Mark::ExpiringSoon => "",
        Mark::Expired | Mark::NotYetValid => " pb-warn",
        Mark::Revoked | Mark::Suspended | Mark::NotVerified => " pb-bad",
        Mark::Unverifiable => " pb-unknown",
    }
}

fn embed_tone(mark: Mark) -> &'static str {
    match mark {
        Mark::Verified | Mark::ExpiringSoon => "ok",
        Mark::Expired | Mark::NotYetValid => "warn",
        Mark::Revoked | Mark::Suspended | Mark::NotVerified => "bad",
        Mark::Unverifiable => "unknown",
    }
}

/// The verdict in one plain sentence.
pub fn headline(mark: Mark) -> &'static str {
    match mark {
        Mark::Verified => "Verified: this badge is authentic and in good standing.",
        Mark::ExpiringSoon => {
            "Verified: this badge is authentic and in good standing (it expires soon)."
        }
        Mark::Expired => "Expired: this badge was issued as shown, but its validity has ended.",
        Mark::Revoked => "Revoked: the issuer has withdrawn this badge. It is no longer valid.",
        Mark::Suspended => "Suspended: the issuer has put this badge on hold.",
        Mark::NotYetValid => "Not valid yet: this badge's validity has not started.",
        Mark::NotVerified => "Not verified: this badge failed a check. Do not rely on it.",
        Mark::Unverifiable => {
            "Could not be verified: whether this badge is authentic is not known. Do not rely on it."
        }
    }
}

fn head_common(h: &mut String, ctx: &Ctx<'_>, title: &str, robots_index: bool) {
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><meta name="referrer" content="strict-origin-when-cross-origin"><link rel="icon" href="/favicon.svg" type="image/svg+xml">{css}<title>{title}</title><meta name="robots" content="{robots}">"#,
        css = ctx.stylesheet,
        title = esc(title),
        robots = if robots_index {
            "index, follow"
        } else {
            "noindex, nofollow"
        },
    );
}

fn site_header(h: &mut String) {
    h.push_str(r##"<a class="skip-link" href="#main">Skip to content</a><header class="site-header"><a href="/" class="brand"><span class="brand-mark" aria-hidden="true">◆</span> Badgefolio</a><nav aria-label="Main"><ul class="nav-list"><li><a href="/programs" class="nav-link">Programs</a></li><li><a href="/verify" class="nav-link">Verify a badge</a></li></ul></nav></header>"##);
}

fn site_footer(h: &mut String) {
    h.push_str(r#"<footer class="site-footer"><p>Every badge on Badgefolio is a signed Open Badges 3.0 credential that anyone can check. <a href="/verify">Verify a badge</a></p></footer></body></html>"#);
}

/// The one-line summary used in descriptions.
fn summary(b: &Badge) -> String {
    let mut s = format!("{} earned “{}”", b.recipient_name, b.name);
    if !b.issuer_name.is_empty() {
        let _ = write!(s, ", issued by {}", b.issuer_name);
    }
    if let Some(t) = b.issued_at {
        let _ = write!(s, " on {}", day(t));
    }
    s.push('.');
    s
}

/// The JSON-LD of the page: the credential itself when it is JSON, otherwise a short
/// description of the badge.
fn structured(b: &Badge, page: &str) -> Value {
    b.credential_json().unwrap_or_else(|| {
        json!({
            "@context": "https://schema.org",
            "@type": "EducationalOccupationalCredential",
            "name": b.name,
            "description": b.description,
            "url": page,
            "recognizedBy": {"@type": "Organization", "name": b.issuer_name},
        })
    })
}

/// The badge page (`/c/{id}` or `/b/{token}`).
#[allow(clippy::too_many_lines)]
pub fn badge_page(ctx: &Ctx<'_>, r: &Resolved, downloads: Downloads, now: DateTime<Utc>) -> String {
    let b = &r.badge;
    let page = urls::page(ctx.base, &r.path);
    let mut h = String::with_capacity(16 * 1024);
    let title = format!("{} · {} · Badgefolio", b.name, b.recipient_name);
    head_common(&mut h, ctx, &title, r.indexable());
    let desc = summary(b);
    let og_image = urls::page_file(&page, "og.png");
    let image_alt = format!("The badge “{}”, issued by {}", b.name, b.issuer_name);
    let _ = write!(
        h,
        r#"<meta name="description" content="{desc}"><meta property="og:type" content="website"><meta property="og:site_name" content="Badgefolio"><meta property="og:title" content="{name}"><meta property="og:description" content="{desc}"><meta property="og:url" content="{page_e}"><meta property="og:image" content="{og}"><meta property="og:image:secure_url" content="{og}"><meta property="og:image:type" content="image/png"><meta property="og:image:width" content="1200"><meta property="og:image:height" content="627"><meta property="og:image:alt" content="{alt}"><meta name="twitter:card" content="summary_large_image"><meta name="twitter:title" content="{name}"><meta name="twitter:description" content="{desc}"><meta name="twitter:image" content="{og}"><meta name="twitter:image:alt" content="{alt}"><link rel="alternate" type="application/json+oembed" href="{oembed}" title="{name}">"#,
        desc = esc(&desc),
        name = esc(&b.name),
        page_e = esc(&page),
        og = esc(&og_image),
        alt = esc(&image_alt),
        oembed = esc(&format!(
            "{}/oembed?url={}&format=json",
            ctx.base,
            url_encode(&page)
        )),
    );
    if r.link.is_none() {
        let _ = write!(h, r#"<link rel="canonical" href="{}">"#, esc(&page));
    }
    let _ = write!(
        h,
        r#"<style>{PAGE_STYLE}</style><script type="application/ld+json">{}</script></head><body>"#,
        json_ld(&structured(b, &page))
    );
    site_header(&mut h);
    let _ = write!(
        h,
        r#"<main id="main" tabindex="-1" class="pb"><section class="pb-verdict{tone}" aria-label="Verification" data-mark="{mark}"><p class="pb-head"><span aria-hidden="true">{sym}</span> {head}</p>"#,
        tone = tone(b.mark),
        mark = b.mark.as_str(),
        sym = b.mark.symbol(),
        head = esc(headline(b.mark)),
    );
    match b.mark {
        Mark::Expired => {
            if let Some(t) = b.expires_at {
                let _ = write!(h, "<p>The badge expired on {}.</p>", esc(&day(t)));
            }
        }
        Mark::ExpiringSoon => {
            if let Some(t) = b.expires_at {
                let _ = write!(h, "<p>The badge expires on {}.</p>", esc(&day(t)));
            }
        }
        _ => {}
    }
    if let Some(reason) = &b.reason {
        let _ = write!(h, "<p>Reason given by the issuer: {}</p>", esc(reason));
    }
    if b.mark.is_good() && !b.issuer_name.is_empty() && !matches!(b.holder, Holder::Import(_)) {
        let _ = write!(
            h,
            "<p>The signature checks out with a key published by {}.</p>",
            esc(&b.issuer_name)
        );
    }
    if matches!(b.holder, Holder::Import(_)) {
        h.push_str("<p class=\"pb-note\">This badge was earned elsewhere and added to Badgefolio by its holder; the verdict is from the last check with its issuer (its signature, or for an Open Badges 2.0 hosted badge the copy on the issuer’s website).</p>");
    }
    // Verdicts are checked again in the background (status lists, expiry); say when.
    let checked = match &b.holder {
        Holder::Award(a) => a.checked_at,
        Holder::Import(i) => i.checked_at,
    };
    if let Some(t) = checked {
        let _ = write!(
            h,
            "<p class=\"pb-note\" data-testid=\"checked-at\">Last checked {}.</p>",
            esc(&moment(t))
        );
    }
    if let Some(link) = &r.link {
        let _ = write!(
            h,
            "<p class=\"pb-note\">You are viewing this badge through a share link from {}.",
            esc(&b.recipient_name)
        );
        if let Some(t) = link.expires_at {
            let _ = write!(
                h,
                " This link stops working on {} (the badge’s own validity is shown above).",
                esc(&day(t))
            );
        }
        h.push_str("</p>");
    }
    h.push_str("</section><div class=\"pb-top\">");
    if let Some(img) = &b.image_url {
        let _ = write!(
            h,
            r#"<img src="{}" alt="{}" width="160" height="160">"#,
            esc(img),
            esc(&image_alt)
        );
    }
    let _ = write!(h, "<div><h1>{}</h1><dl class=\"pb-facts\">", esc(&b.name));
    let issuer = match &b.issuer_url {
        Some(u) => format!(r#"<a href="{}">{}</a>"#, esc(u), esc(&b.issuer_name)),
        None => esc(&b.issuer_name),
    };
    let _ = write!(
        h,
        "<dt>Issued by</dt><dd>{issuer}</dd><dt>Issued to</dt><dd>{}</dd>",
        esc(&b.recipient_name)
    );
    if let Some(t) = b.issued_at {
        let _ = write!(h, "<dt>Issued on</dt><dd>{}</dd>", esc(&day(t)));
    }
    match b.expires_at {
        Some(t) if t <= now => {
            let _ = write!(h, "<dt>Expired on</dt><dd>{}</dd>", esc(&day(t)));
        }
        Some(t) => {
            let _ = write!(h, "<dt>Valid until</dt><dd>{}</dd>", esc(&day(t)));
        }
        None => h.push_str("<dt>Valid until</dt><dd>Does not expire</dd>"),
    }
    if b.credits > 0 {
        let _ = write!(h, "<dt>Credits</dt><dd>{}</dd>", b.credits);
    }
    let _ = write!(
        h,
        "<dt>Status</dt><dd>{}</dd></dl></div></div>",
        esc(b.mark.label())
    );
    if !b.description.trim().is_empty() {
        let _ = write!(
            h,
            "<section><h2>About this badge</h2>{}</section>",
            paragraphs(&b.description)
        );
    }
    if !b.criteria.trim().is_empty() {
        let _ = write!(
            h,
            "<section><h2>What it took</h2>{}</section>",
            paragraphs(&b.criteria)
        );
    }
    if !b.alignments.is_empty() {
        h.push_str("<section><h2>Competencies</h2><ul>");
        for (name, url) in &b.alignments {
            let _ = write!(h, r#"<li><a href="{}">{}</a></li>"#, esc(url), esc(name));
        }
        h.push_str("</ul></section>");
    }
    if b.narrative.is_some() || !b.evidence.is_empty() {
        h.push_str("<section><h2>Evidence</h2>");
        if let Some(n) = &b.narrative {
            h.push_str(&paragraphs(n));
        }
        if !b.evidence.is_empty() {
            h.push_str("<ul>");
            for e in &b.evidence {
                h.push_str("<li>");
                match &e.url {
                    Some(u) => {
                        let _ = write!(
                            h,
                            r#"<a href="{}" rel="nofollow noopener">{}</a>"#,
                            esc(u),
                            esc(&e.name)
                        );
                    }
                    None => h.push_str(&esc(&e.name)),
                }
                if let Some(d) = &e.description {
                    let _ = write!(h, ": {}", esc(d));
                }
                h.push_str("</li>");
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>");
    }
    h.push_str("<section><h2>Endorsements</h2>");
    if b.endorsements.is_empty() {
        h.push_str("<p class=\"pb-note\">No endorsements yet.</p>");
    } else {
        h.push_str("<ul>");
        for e in &b.endorsements {
            let _ = write!(
                h,
                "<li><blockquote>{}</blockquote><p>— {}",
                paragraphs(&e.statement),
                esc(&e.endorser)
            );
            if let Some(t) = e.date {
                let _ = write!(h, ", {}", esc(&day(t)));
            }
            h.push_str("</p></li>");
        }
        h.push_str("</ul>");
    }
    h.push_str("</section><section><h2>Downloads</h2><ul>");
    let p = &r.path;
    if downloads.png {
        let _ = write!(
            h,
            r#"<li><a href="{p}/badge.png" download>Badge image (PNG, with the credential inside)</a></li>"#
        );
    }
    if downloads.svg {
        let _ = write!(
            h,
            r#"<li><a href="{p}/badge.svg" download>Badge image (SVG, with the credential inside)</a></li>"#
        );
    }
    if b.credential.is_some() {
        let _ = write!(
            h,
            r#"<li><a href="{p}/credential.json" download>Signed credential (JSON)</a></li>"#
        );
    }
    if b.credential_withheld {
        h.push_str("<li>The signed credential is not offered through this link: it contains evidence its holder chose not to share here.</li>");
    }
    let _ = write!(
        h,
        r#"<li><a href="{p}/qr.svg" download>QR code of this page (SVG)</a> · <a href="{p}/qr.png" download>PNG</a></li><li><a href="{p}/certificate">Printable certificate</a></li></ul><p class="pb-note">Anyone can check this badge independently: download the badge image or the credential and drop it into <a href="/verify">Verify a badge</a>, or any Open Badges 3.0 verifier.</p></section></main>"#
    );
    site_footer(&mut h);
    h
}

/// The page of a link or badge that is gone (410), worded so that a withdrawn or
/// expired *link* is not mistaken for a revoked or expired *badge*.
pub fn gone_page(ctx: &Ctx<'_>, gone: Gone) -> String {
    let (title, text) = match gone {
        Gone::LinkRevoked => (
            "This share link was withdrawn",
            "The person who shared this link has withdrawn it, so it no longer shows their badge. This says nothing about the badge itself: ask them for a new link if you need to see it.",
        ),
        Gone::LinkExpired => (
            "This share link has expired",
            "The person who shared this link set it to stop working after a date, and that date has passed. This is the link’s expiry, not the badge’s: ask them for a new link if you need to see it.",
        ),
        Gone::AccountDeleted => (
            "This page is no longer available",
            "The holder of this badge has deleted their Badgefolio account, so its page was taken down. Credentials issued to them remain verifiable by their issuers’ published records.",
        ),
    };
    simple_page(ctx, title, text)
}

/// A plain page with a heading and a sentence (404 and 410).
pub fn simple_page(ctx: &Ctx<'_>, title: &str, text: &str) -> String {
    let mut h = String::with_capacity(4096);
    head_common(&mut h, ctx, &format!("{title} · Badgefolio"), false);
    h.push_str("</head><body>");
    site_header(&mut h);
    let _ = write!(
        h,
        r#"<main id="main" tabindex="-1" class="pb"><h1>{}</h1><p>{}</p><p><a href="/">Go to Badgefolio</a></p></main>"#,
        esc(title),
        esc(text)
    );
    site_footer(&mut h);
    h
}

/// The page a shared collection or stack shows (`/s/{token}`).
pub fn shared_page(ctx: &Ctx<'_>, s: &Shared) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let (title, owner) = match s {
        Shared::Collection { name, owner, .. } => (name.clone(), owner.clone()),
        Shared::Stack { stack, owner, .. } => (stack.program_name.clone(), owner.clone()),
    };
    head_common(
        &mut h,
        ctx,
        &format!("{title} · {owner} · Badgefolio"),
        false,
    );
    let _ = write!(
        h,
        r#"<meta name="description" content="{}"><meta property="og:title" content="{}"><style>{PAGE_STYLE}</style></head><body>"#,
        esc(&format!("Badges shared by {owner}")),
        esc(&title)
    );
    site_header(&mut h);
    h.push_str(r#"<main id="main" tabindex="-1" class="pb">"#);
    match s {
        Shared::Collection {
            name,
            description,
            cards,
            ..
        } => {
            let _ = write!(
                h,
                "<h1>{}</h1><p class=\"pb-note\">A collection of badges shared by {}.</p>{}",
                esc(name),
                esc(&owner),
                paragraphs(description)
            );
            if cards.is_empty() {
                h.push_str("<p>This collection is empty.</p>");
            } else {
                h.push_str("<ul class=\"pb-cards\">");
                for c in cards {
                    card(&mut h, c);
                }
                h.push_str("</ul>");
            }
        }
        Shared::Stack { stack, pages, .. } => {
            let _ = write!(
                h,
                "<h1>{}</h1><p class=\"pb-note\">{}’s progress in this program, offered by {}.</p><p><strong>{} of {} badges earned</strong>",
                esc(&stack.program_name),
                esc(&owner),
                esc(&stack.issuer),
                stack.held,
                stack.total
            );
            if stack.credits_total > 0 {
                let _ = write!(
                    h,
                    " · {} of {} credits",
                    stack.credits_held, stack.credits_total
                );
            }
            if stack.completed {
                h.push_str(" · program completed");
            }
            let _ = write!(
                h,
                "</p><progress max=\"{}\" value=\"{}\" aria-label=\"Badges earned\"></progress><ol class=\"pb-cards\">",
                stack.total.max(1),
                stack.held
            );
            for part in stack.components.iter().chain(stack.program_badge.iter()) {
                h.push_str("<li>");
                if !part.image_url.is_empty() {
                    let _ = write!(
                        h,
                        r#"<img src="{}" alt="" width="64" height="64">"#,
                        esc(&part.image_url)
                    );
                }
                let page = part
                    .award
                    .as_ref()
                    .and_then(|id| pages.iter().find(|(a, _)| a == id))
                    .map(|(_, p)| p);
                match page {
                    Some(p) => {
                        let _ = write!(
                            h,
                            r#"<h2><a href="{}">{}</a></h2>"#,
                            esc(p),
                            esc(&part.name)
                        );
                    }
                    None => {
                        let _ = write!(h, "<h2>{}</h2>", esc(&part.name));
                    }
                }
                let _ = write!(
                    h,
                    "<p>{}</p></li>",
                    if part.award.is_some() {
                        "✓ Earned"
                    } else {
                        "Not earned yet"
                    }
                );
            }
            h.push_str("</ol>");
        }
    }
    h.push_str("</main>");
    site_footer(&mut h);
    h
}

fn card(h: &mut String, c: &Card) {
    h.push_str("<li>");
    if let Some(img) = &c.image_url {
        let _ = write!(
            h,
            r#"<img src="{}" alt="" width="64" height="64">"#,
            esc(img)
        );
    }
    match &c.page {
        Some(p) => {
            let _ = write!(h, r#"<h2><a href="{}">{}</a></h2>"#, esc(p), esc(&c.name));
        }
        None => {
            let _ = write!(h, "<h2>{}</h2>", esc(&c.name));
        }
    }
    let _ = write!(
        h,
        "<p>{}</p><p data-mark=\"{}\"><span aria-hidden=\"true\">{}</span> {}</p>",
        esc(&c.issuer),
        c.mark.as_str(),
        c.mark.symbol(),
        esc(c.mark.label())
    );
    if let Some(t) = c.issued_at {
        let _ = write!(h, "<p>{}</p>", esc(&day(t)));
    }
    h.push_str("</li>");
}

/// The embed card: small, no stylesheet to fetch, one script (the height message).
pub fn embed_card(ctx: &Ctx<'_>, r: &Resolved) -> String {
    let b = &r.badge;
    let page = with_source(&urls::page(ctx.base, &r.path), Source::Embed);
    let mut h = String::with_capacity(3000);
    let title = format!(
        "{} — badge of {}, {}",
        b.name,
        b.recipient_name,
        b.mark.label()
    );
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>{}</title><style>{EMBED_STYLE}</style></head><body><article class="c" aria-label="{}">"#,
        esc(&title),
        esc(&title)
    );
    if let Some(img) = &b.image_url {
        let _ = write!(
            h,
            r#"<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="72" height="72"></a>"#,
            esc(&page),
            esc(img),
            esc(&format!("The badge “{}”", b.name))
        );
    }
    let _ = write!(
        h,
        r#"<div><h1><a href="{}" target="_blank" rel="noopener">{}</a></h1><p>Issued by {} to {}"#,
        esc(&page),
        esc(&b.name),
        esc(&b.issuer_name),
        esc(&b.recipient_name)
    );
    if let Some(t) = b.issued_at {
        let _ = write!(h, ", {}", esc(&t.format("%B %Y").to_string()));
    }
    let _ = write!(
        h,
        r#"</p><p class="s {}" data-mark="{}"><span aria-hidden="true">{}</span> {}</p></div></article><script>{EMBED_SCRIPT}</script></body></html>"#,
        embed_tone(b.mark),
        b.mark.as_str(),
        b.mark.symbol(),
        esc(b.mark.label())
    );
    h
}

/// Paper sizes of the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

/// The printable certificate.
pub fn certificate(ctx: &Ctx<'_>, r: &Resolved, paper: Paper) -> String {
    let b = &r.badge;
    let page = urls::page(ctx.base, &r.path);
    let mut h = String::with_capacity(8192);
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>{}</title><style>{CERT_STYLE}</style><style media="print">{}</style></head><body><p class="tools">Print this page (A4 or US Letter). <a href="{p}/certificate?paper=a4">A4</a> · <a href="{p}/certificate?paper=letter">Letter</a> · <a href="{p}">Back to the badge</a></p><main class="cert"><p>Certificate of achievement</p>"#,
        esc(&format!("Certificate: {} · {}", b.name, b.recipient_name)),
        match paper {
            Paper::A4 => CERT_STYLE_A4,
            Paper::Letter => CERT_STYLE_LETTER,
        },
        p = esc(&r.path),
    );
    if let Some(img) = &b.image_url {
        let _ = write!(
            h,
            r#"<img src="{}" alt="{}">"#,
            esc(img),
            esc(&format!("The badge “{}”", b.name))
        );
    }
    let _ = write!(
        h,
        r#"<p>This certifies that</p><p class="who">{}</p><p>has earned</p><h1>{}</h1><p>issued by {}</p>"#,
        esc(&b.recipient_name),
        esc(&b.name),
        esc(&b.issuer_name)
    );
    if let Some(t) = b.issued_at {
        let _ = write!(h, "<p>on {}</p>", esc(&day(t)));
    }
    if let Some(t) = b.expires_at {
        let _ = write!(h, "<p>valid until {}</p>", esc(&day(t)));
    }
    let _ = write!(
        h,
        r#"<p class="status">{}</p><img class="qr" src="{p}/qr.svg" alt="QR code linking to the badge's verification page"><p class="small">Verify at {}</p></main></body></html>"#,
        esc(headline(b.mark)),
        esc(&page),
        p = esc(&r.path)
    );
    h
}

/// Narrowest and widest embed width.
pub const EMBED_MIN_WIDTH: u32 = 280;
pub const EMBED_MAX_WIDTH: u32 = 600;
/// Width when the consumer gives none.
pub const EMBED_DEFAULT_WIDTH: u32 = 420;
/// Height of the card.
pub const EMBED_HEIGHT: u32 = 130;

/// The oEmbed answer (type `rich`) for a resolved page.
pub fn oembed(ctx: &Ctx<'_>, r: &Resolved, embed_path: &str, maxwidth: Option<u32>) -> Value {
    let b = &r.badge;
    let width = maxwidth
        .unwrap_or(EMBED_DEFAULT_WIDTH)
        .clamp(EMBED_MIN_WIDTH, EMBED_MAX_WIDTH);
    let page = with_source(&urls::page(ctx.base, &r.path), Source::Embed);
    let embed = urls::page(ctx.base, embed_path);
    let mut quote = format!(
        r#"<a href="{}">{}</a> — issued by {} to {}"#,
        esc(&page),
        esc(&b.name),
        esc(&b.issuer_name),
        esc(&b.recipient_name)
    );
    if let Some(t) = b.issued_at {
        let _ = write!(quote, ", {}", esc(&t.format("%B %Y").to_string()));
    }
    let _ = write!(quote, ". {}.", esc(b.mark.label()));
    let html = format!(
        r#"<blockquote class="badgefolio-embed">{quote}</blockquote><iframe class="badgefolio-embed" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" security="restricted" src="{}" width="{width}" height="{EMBED_HEIGHT}" title="{}" frameborder="0" marginwidth="0" marginheight="0" scrolling="no"></iframe>"#,
        esc(&embed),
        esc(&format!("{} — a badge on Badgefolio", b.name)),
    );
    json!({
        "version": "1.0",
        "type": "rich",
        "provider_name": "Badgefolio",
        "provider_url": ctx.base,
        "title": b.name,
        "author_name": b.recipient_name,
        "html": html,
        "width": width,
        "height": EMBED_HEIGHT,
        "thumbnail_url": urls::page_file(&urls::page(ctx.base, &r.path), "og.png"),
        "thumbnail_width": super::images::OG_WIDTH,
        "thumbnail_height": super::images::OG_HEIGHT,
        "cache_age": 300,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_end_its_script_and_parses_back() {
        let v = json!({"name": "</script><script>alert(1)</script> & \u{2028} \"q\" 🎓 שלום"});
        let out = json_ld(&v);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), v);
    }

    #[test]
    fn escaping_covers_content_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url_encode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
