//! The share panel on a learner's badge page: the permanent link (and making the badge
//! public first), letting search engines list it, share links with their view counts,
//! LinkedIn, embed code and the e-mail signature, each with a copy button and a live
//! preview. Every snippet arrives from the server as a finished, escaped string
//! (`server/sharing/snippets.rs`); previews render it in a sandboxed `srcdoc` frame, so
//! what is shown is exactly what is copied.

use leptos::prelude::*;

use crate::api::portfolio::SetBadgeVisibility;
use crate::api::sharing::{
    CreateShareLink, RenameShareLink, RevokeShareLink, SetAllowIndexing, email_signature,
    read_share_panel,
};
use crate::components::form::{FormError, SubmitButton, last_error};
use crate::model::sharing::{ShareLinkInfo, SharePanel, Snippet, SourceCount};

/// The share panel of one badge; `toggle` is the badge page's visibility action, so
/// making the badge public here updates the whole page.
#[component]
pub fn ShareSection(award: String, toggle: ServerAction<SetBadgeVisibility>) -> impl IntoView {
    let create = ServerAction::<CreateShareLink>::new();
    let revoke = ServerAction::<RevokeShareLink>::new();
    let rename = ServerAction::<RenameShareLink>::new();
    let indexing = ServerAction::<SetAllowIndexing>::new();
    // Two reads of the same panel: the links change with every create, rename and
    // revoke; the rest (with its preview frames) only when the badge's visibility or
    // indexing does, so a revoke does not rebuild the previews under the learner's eyes.
    let award_links = award.clone();
    let panel = Resource::new(
        move || {
            (
                award.clone(),
                toggle.version().get(),
                indexing.version().get(),
            )
        },
        |(award, ..)| read_share_panel(award),
    );
    let links = Resource::new(
        move || {
            (
                award_links.clone(),
                toggle.version().get(),
                create.version().get(),
                revoke.version().get(),
                rename.version().get(),
            )
        },
        |(award, ..)| read_share_panel(award),
    );
    view! {
        <section class="card share-panel" aria-labelledby="share-heading" data-testid="share-panel">
            <h2 id="share-heading">"Share"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match panel.await {
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(p) => view! { <Permanent p=p toggle=toggle indexing=indexing /> }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    links.await.ok().map(|p| view! { <Links p=p create=create revoke=revoke rename=rename /> })
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    panel.await.ok().map(|p| view! { <Snippets p=p /> })
                })}
            </Transition>
        </section>
    }
}

/// LinkedIn, embeds and the e-mail signature, with their previews.
#[component]
fn Snippets(p: SharePanel) -> impl IntoView {
    let public = p.is_public;
    view! {
        <LinkedIn p=p.clone() />
        <Embeds p=p.clone() />
        <Signature p=p />
        {(!public).then(|| view! {
            <p class="hint">"Previews of images on the permanent page appear once the badge is public."</p>
        })}
    }
}

/// The permanent page, its views, and the two choices that govern it.
#[component]
fn Permanent(
    p: SharePanel,
    toggle: ServerAction<SetBadgeVisibility>,
    indexing: ServerAction<SetAllowIndexing>,
) -> impl IntoView {
    let url = p.permanent_url.clone();
    let id_public = p.public_id.clone();
    let id_indexing = p.public_id.clone();
    view! {
        <h3>"Permanent link"</h3>
        <p class="hint">"For LinkedIn, e-mail signatures and printed QR codes: it never expires and always shows the badge's current status."</p>
        {if p.is_public {
            view! {
                <div class="copy-row">
                    <input type="text" readonly value=url.clone() aria-label="Permanent link" data-testid="permanent-url" />
                    <CopyButton text=url.clone() label="Copy link" />
                    <a href=url.clone() rel="external" target="_blank">"Open"</a>
                </div>
                <Views views=p.permanent_views.clone() />
            }.into_any()
        } else {
            view! {
                <div role="note" data-testid="private-note">
                    <p>"This badge is private, so its permanent page answers “not found” to everyone but you. Make it public to share it on LinkedIn, in your e-mail signature or by QR code. (Share links below work for private badges too.)"</p>
                    <ActionForm action=toggle attr:class="inline-form">
                        <input type="hidden" name="award" value=id_public.clone() />
                        <input type="hidden" name="public" value="yes" />
                        <SubmitButton label="Make it public" busy_label="Saving…" pending=toggle.pending() />
                        <FormError error=last_error(toggle.value()) />
                    </ActionForm>
                </div>
            }.into_any()
        }}
        <ActionForm action=indexing attr:class="inline-form">
            <input type="hidden" name="award" value=id_indexing.clone() />
            <input type="hidden" name="allow" value=if p.allow_indexing { "no" } else { "yes" } />
            <p data-testid="indexing">
                {if p.allow_indexing {
                    "Search engines may list this badge's public page."
                } else {
                    "Search engines are asked not to list this badge's public page."
                }}
            </p>
            <SubmitButton
                label=if p.allow_indexing { "Ask search engines not to list it" } else { "Allow search engines to list it" }
                busy_label="Saving…"
                pending=indexing.pending()
            />
            <FormError error=last_error(indexing.value()) />
        </ActionForm>
    }
}

/// Share links for this badge: create, copy, rename, revoke; views by source.
#[component]
fn Links(
    p: SharePanel,
    create: ServerAction<CreateShareLink>,
    revoke: ServerAction<RevokeShareLink>,
    rename: ServerAction<RenameShareLink>,
) -> impl IntoView {
    let links = p.links.clone();
    view! {
        <h3>"Share links"</h3>
        <p class="hint">"A named link that you can revoke at any time and that may stop working on a day you choose. It works while the badge is private. The link's expiry is separate from the badge's own expiry date."</p>
        {if links.is_empty() {
            view! { <p data-testid="no-links">"No share links for this badge yet."</p> }.into_any()
        } else {
            view! {
                <ul class="share-links" data-testid="share-links">
                    {links.into_iter().map(|l| view! { <LinkRow l=l revoke=revoke rename=rename /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <details class="new-link" open=p.links.is_empty()>
            <summary>"New share link"</summary>
            <ActionForm action=create attr:class="stack-form" attr:data-testid="new-link-form">
                <input type="hidden" name="kind" value="badge" />
                <input type="hidden" name="target" value=p.public_id.clone() />
                <label for="link-name">"Name (for you, up to 60 characters)"</label>
                <input id="link-name" name="name" required maxlength="60" placeholder="LinkedIn, CV 2027…" />
                <label for="link-expires">"Link stops working after (optional)"</label>
                <input id="link-expires" name="expires_on" type="date" />
                <label class="checkbox"><input type="checkbox" name="show_evidence" value="on" />" Show my evidence on this link"</label>
                <SubmitButton label="Create link" busy_label="Creating…" pending=create.pending() />
                <FormError error=last_error(create.value()) />
            </ActionForm>
            <p class="meta">{format!("You have {} of at most {} live share links.", p.live_links, p.max_links)} " " <a href="/portfolio/links">"All my share links"</a></p>
        </details>
    }
}

#[component]
pub(crate) fn LinkRow(
    l: ShareLinkInfo,
    revoke: ServerAction<RevokeShareLink>,
    rename: ServerAction<RenameShareLink>,
    /// Say what the link shows (on the page listing every link).
    #[prop(optional)]
    show_target: bool,
) -> impl IntoView {
    let kind = match l.kind.as_str() {
        "collection" => "Collection",
        "stack" => "Program stack",
        _ => "Badge",
    };
    let target = show_target.then(|| format!("{kind}: {}", l.target_name));
    let live = l.state == "live";
    let state = match l.state.as_str() {
        "live" => match &l.expires_on {
            Some(d) => format!("Works until {d} (the link, not the badge)"),
            None => "Works until you revoke it".to_string(),
        },
        "expired" => "This link has expired".to_string(),
        _ => "Revoked".to_string(),
    };
    let id_revoke = l.id.to_string();
    let id_rename = l.id.to_string();
    view! {
        <li data-testid="share-link" data-state=l.state.clone()>
            <p><strong>{l.name.clone()}</strong> " · " <span class="meta">{state}</span>
                {target.map(|t| view! { <br /><span class="meta" data-testid="share-link-target">{t}</span> })}
                {l.show_evidence.then(|| view! { <span class="meta">" · shows evidence"</span> })}
            </p>
            {live.then(|| view! {
                <div class="copy-row">
                    <input type="text" readonly value=l.url.clone() aria-label=format!("Share link {}", l.name) data-testid="share-link-url" />
                    <CopyButton text=l.url.clone() label="Copy link" />
                </div>
            })}
            <Views views=l.views.clone() />
            {live.then(|| view! {
                <div class="link-actions">
                    <ActionForm action=revoke attr:class="inline-form">
                        <input type="hidden" name="link" value=id_revoke.clone() />
                        <SubmitButton label="Revoke" busy_label="Revoking…" pending=revoke.pending() />
                    </ActionForm>
                    <details>
                        <summary>"Rename"</summary>
                        <ActionForm action=rename attr:class="inline-form">
                            <input type="hidden" name="link" value=id_rename.clone() />
                            <input name="name" required maxlength="60" value=l.name.clone() aria-label="New name" />
                            <SubmitButton label="Save name" busy_label="Saving…" pending=rename.pending() />
                            <FormError error=last_error(rename.value()) />
                        </ActionForm>
                    </details>
                </div>
            })}
        </li>
    }
}

fn source_label(s: &str) -> &'static str {
    match s {
        "linkedin" => "LinkedIn",
        "email" => "E-mail signature",
        "qr" => "QR code",
        "embed" => "Embeds",
        _ => "Direct",
    }
}

/// Views by source, or a line saying there are none yet.
#[component]
pub(crate) fn Views(views: Vec<SourceCount>) -> impl IntoView {
    let total: i64 = views.iter().map(|v| v.views).sum();
    if total == 0 {
        return view! { <p class="meta" data-testid="views">"No views yet."</p> }.into_any();
    }
    let parts = views
        .iter()
        .map(|v| format!("{} {}", source_label(&v.source), v.views))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <p class="meta" data-testid="views" data-total=total.to_string()>
            {format!("{total} view{}: {parts}", if total == 1 { "" } else { "s" })}
        </p>
    }
    .into_any()
}

#[component]
fn LinkedIn(p: SharePanel) -> impl IntoView {
    view! {
        <h3>"LinkedIn"</h3>
        {if p.is_public {
            view! {
                <p>
                    <a class="button" href=p.linkedin_add_url.clone() target="_blank" rel="noopener noreferrer" data-testid="linkedin-add">"Add to profile"</a>
                    " "
                    <a class="button" href=p.linkedin_share_url.clone() target="_blank" rel="noopener noreferrer" data-testid="linkedin-share">"Share on LinkedIn"</a>
                </p>
                <p class="hint">
                    "“Add to profile” fills in a certification with the permanent link and the credential number "
                    <code data-testid="cert-id">{p.cert_id.clone()}</code>
                    "; LinkedIn shows the page's preview image when you share."
                </p>
            }.into_any()
        } else {
            view! { <p class="hint">"Make the badge public first: LinkedIn links to its permanent page."</p> }.into_any()
        }}
    }
}

#[component]
fn Embeds(p: SharePanel) -> impl IntoView {
    view! {
        <h3>"Embed in an ePortfolio or web page"</h3>
        <SnippetBox
            title="Card (iframe)"
            hint="For sites that accept iframes. Shows the badge's live status."
            code=p.embed_iframe.clone()
            preview_sandbox="allow-scripts allow-popups"
            preview_height=460
            testid="embed-iframe"
        />
        <div class="snippet">
            <h4>"Link for WordPress, Mahara and other oEmbed tools"</h4>
            <p class="hint">"Paste the link on a line of its own; the tool turns it into a card."</p>
            <div class="copy-row">
                <input type="text" readonly value=p.embed_link.clone() aria-label="Link for oEmbed" data-testid="embed-link" />
                <CopyButton text=p.embed_link.clone() label="Copy link" />
            </div>
        </div>
        <SnippetBox
            title="Image and link (HTML)"
            hint="For editors that remove iframes: a plain image and link that survive."
            code=p.embed_image.clone()
            preview_sandbox=""
            preview_height=220
            testid="embed-image"
        />
    }
}

/// A code snippet: the code, a copy button and a live preview of exactly that code.
#[component]
fn SnippetBox(
    title: &'static str,
    hint: &'static str,
    code: String,
    preview_sandbox: &'static str,
    preview_height: u32,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="snippet" data-testid=testid>
            <h4>{title}</h4>
            <p class="hint">{hint}</p>
            <textarea readonly rows="4" aria-label=format!("{title}: code")>{crate::components::form::textarea_text(code.clone())}</textarea>
            <CopyButton text=code.clone() label="Copy code" />
            <iframe class="snippet-preview" sandbox=preview_sandbox srcdoc=code.clone() title=format!("Preview: {title}") height=preview_height.to_string()></iframe>
        </div>
    }
}

#[component]
fn Signature(p: SharePanel) -> impl IntoView {
    // 0: this badge; 1: the row of the newest public badges; 2: badges the learner picks.
    let (variant, set_variant) = signal(0u8);
    let (picked, set_picked) = signal(Vec::<String>::new());
    let chosen = Action::new(|ids: &String| email_signature(ids.clone()));
    let one = p.signature.clone();
    let row_snippet = p.signature_row.clone();
    let has_row = !p.signature_row.html.is_empty() && p.signature_row_names.len() > 1;
    let row_names = p.signature_row_names.join(", ");
    let publics = p.public_badges.clone();
    let can_pick = publics.len() > 1;
    let current = Signal::derive(move || match variant.get() {
        1 => row_snippet.clone(),
        2 => match chosen.value().get() {
            Some(Ok(s)) => s,
            _ => one.clone(),
        },
        _ => one.clone(),
    });
    let toggle_pick = move |id: String, on: bool| {
        set_picked.update(|v| {
            v.retain(|x| *x != id);
            if on {
                v.push(id);
            }
        });
        let ids = picked.get_untracked();
        if !ids.is_empty() {
            chosen.dispatch(ids.join(","));
        }
    };
    view! {
        <h3>"E-mail signature"</h3>
        {(!p.is_public).then(|| view! {
            <p class="hint">"Make the badge public first: the signature's image and “Verify” link open its permanent page."</p>
        })}
        {(has_row || can_pick).then(|| view! {
            <fieldset class="inline-choice">
                <legend>"Show"</legend>
                <label><input type="radio" name="sig-variant" checked=true on:change=move |_| set_variant.set(0) />" This badge"</label>
                {has_row.then(|| view! {
                    <label><input type="radio" name="sig-variant" data-testid="signature-row" on:change=move |_| set_variant.set(1) />{format!(" A row of your public badges: {row_names}")}</label>
                })}
                {can_pick.then(|| view! {
                    <label><input type="radio" name="sig-variant" data-testid="signature-pick" on:change=move |_| set_variant.set(2) />" Badges I choose (up to four)"</label>
                })}
            </fieldset>
        })}
        <Show when=move || variant.get() == 2>
            <fieldset class="inline-choice" data-testid="signature-choices">
                <legend>"Public badges in the signature, in the order you tick them"</legend>
                {publics.clone().into_iter().map(|b| {
                    let id = b.target.clone();
                    let id_disabled = b.target.clone();
                    view! {
                        <label>
                            <input type="checkbox"
                                prop:disabled=move || { let v = picked.get(); v.len() >= 4 && !v.contains(&id_disabled) }
                                on:change=move |ev| toggle_pick(id.clone(), event_target_checked(&ev)) />
                            " " {b.name}
                        </label>
                    }
                }).collect_view()}
                {move || chosen.value().get().and_then(Result::err).map(|e| view! { <p role="alert">{e.to_string()}</p> })}
            </fieldset>
        </Show>
        <div class="signature-grid">
            <div>
                <h4>"Preview (exactly what is copied)"</h4>
                <iframe class="snippet-preview" sandbox="" title="Preview of the e-mail signature" height="110"
                    srcdoc=move || current.get().html data-testid="signature-preview"></iframe>
                <SnippetCopy snippet=current />
                <details>
                    <summary>"Plain-text version"</summary>
                    <pre data-testid="signature-text">{move || current.get().text}</pre>
                </details>
                <details>
                    <summary>"HTML code"</summary>
                    <textarea readonly rows="5" aria-label="Signature HTML" data-testid="signature-html">{move || crate::components::form::textarea_text(current.get().html)}</textarea>
                </details>
            </div>
            <div class="instructions">
                <h4>"Gmail"</h4>
                <ol>
                    <li>"Click “Copy signature” here."</li>
                    <li>"In Gmail, open Settings (the gear) → See all settings → General."</li>
                    <li>"Under Signature, choose Create new, give it a name, and paste into the box (Ctrl+V or ⌘V)."</li>
                    <li>"Scroll down and click Save Changes."</li>
                </ol>
                <h4>"Outlook"</h4>
                <ol>
                    <li>"Click “Copy signature” here."</li>
                    <li>"Outlook on the web or new Outlook: Settings → Account → Signatures → New signature. Classic Outlook for Windows: File → Options → Mail → Signatures… → New."</li>
                    <li>"Paste into the signature editor and click Save (or OK)."</li>
                </ol>
                <h4>"Apple Mail"</h4>
                <ol>
                    <li>"Click “Copy signature” here."</li>
                    <li>"In Mail, open Mail → Settings → Signatures, select your account and click +."</li>
                    <li>"Untick “Always match my default message font”, then paste into the right-hand pane."</li>
                    <li>"Close the window; the signature is saved."</li>
                </ol>
            </div>
        </div>
    }
}

/// The signature's copy button: rich HTML and plain text together.
#[component]
fn SnippetCopy(snippet: Signal<Snippet>) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let on_click = move |_| {
        let s = snippet.get_untracked();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let msg = match clipboard::write(&s.text, Some(&s.html)).await {
                clipboard::Outcome::Rich => "Copied (formatted and plain text).",
                clipboard::Outcome::PlainOnly => {
                    "Copied as plain text (this browser does not copy formatting)."
                }
                clipboard::Outcome::Failed => "Could not copy: select the code below and copy it.",
            };
            set_status.set(msg.to_string());
        });
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = s;
            set_status.set(String::new());
        }
    };
    view! {
        <button type="button" class="button" on:click=on_click data-testid="copy-signature">"Copy signature"</button>
        <span class="meta" role="status" aria-live="polite">{move || status.get()}</span>
    }
}

/// A copy button for plain text.
#[component]
fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let on_click = move |_| {
        let t = text.clone();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let msg = match clipboard::write(&t, None).await {
                clipboard::Outcome::Failed => "Could not copy: select it and copy.",
                _ => "Copied.",
            };
            set_status.set(msg.to_string());
        });
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = t;
            set_status.set(String::new());
        }
    };
    view! {
        <button type="button" class="button button-secondary" on:click=on_click>{label}</button>
        <span class="meta" role="status" aria-live="polite">{move || status.get()}</span>
    }
}

/// The asynchronous clipboard: `navigator.clipboard.write` with a `ClipboardItem`
/// holding `text/html` and `text/plain`, falling back to `writeText`.
#[cfg(feature = "hydrate")]
mod clipboard {
    use leptos::wasm_bindgen::JsValue;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Blob, BlobPropertyBag, ClipboardItem, js_sys};

    pub enum Outcome {
        Rich,
        PlainOnly,
        Failed,
    }

    fn item(text: &str, html: &str) -> Result<ClipboardItem, JsValue> {
        let record = js_sys::Object::new();
        for (mime, body) in [("text/html", html), ("text/plain", text)] {
            let parts = js_sys::Array::new();
            parts.push(&JsValue::from_str(body));
            let opts = BlobPropertyBag::new();
            opts.set_type(mime);
            let blob = Blob::new_with_str_sequence_and_options(&parts, &opts)?;
            js_sys::Reflect::set(&record, &JsValue::from_str(mime), &blob)?;
        }
        ClipboardItem::new_with_record_from_str_to_blob_promise(&record)
    }

    pub async fn write(text: &str, html: Option<&str>) -> Outcome {
        let Some(window) = web_sys::window() else {
            return Outcome::Failed;
        };
        let clipboard = window.navigator().clipboard();
        if let Some(html) = html {
            if let Ok(it) = item(text, html) {
                let items = js_sys::Array::new();
                items.push(&it);
                if JsFuture::from(clipboard.write(&items)).await.is_ok() {
                    return Outcome::Rich;
                }
            }
            return match JsFuture::from(clipboard.write_text(text)).await {
                Ok(_) => Outcome::PlainOnly,
                Err(_) => Outcome::Failed,
            };
        }
        match JsFuture::from(clipboard.write_text(text)).await {
            Ok(_) => Outcome::Rich,
            Err(_) => Outcome::Failed,
        }
    }
}
